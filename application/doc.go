// Package application is the root of Beep IAM's use cases. Each capability is
// a sub-package (authn: sign-up, sign-in, sessions, account management and
// the email flows) that declares the ports it calls and depends on nothing
// but the domain module.
package application
