// Package application is the root of Beep IAM's use cases. Each capability is
// a sub-package (authn for sign-up, sign-in and sessions) that declares the
// ports it calls and depends on nothing but the domain module.
package application
