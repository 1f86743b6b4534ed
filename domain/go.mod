module github.com/beep/iam/domain

go 1.26
