module github.com/beep/iam/application

go 1.26

require github.com/beep/iam/domain v0.0.0

replace github.com/beep/iam/domain => ../domain
