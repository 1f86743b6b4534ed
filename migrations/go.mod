module github.com/beep/iam/migrations

go 1.26.0
