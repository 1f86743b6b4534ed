module github.com/beep/iam/infrastructure

go 1.26

require (
	github.com/beep/iam/application v0.0.0
	github.com/beep/iam/domain v0.0.0
	github.com/beep/iam/migrations v0.0.0
)

replace github.com/beep/iam/domain => ../domain

replace github.com/beep/iam/application => ../application

replace github.com/beep/iam/migrations => ../migrations
