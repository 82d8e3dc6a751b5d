// Package onboarding remembers how far the user got through the first-run
// screens (splash, welcome, node starting, choosing a folder, the first
// backup). The seed kept this in the webview's localStorage, so the window
// and a browser — or two browsers of a headless server — each showed it
// again; here it is one record in the app's state database, read and
// written by the UI through the API, and it survives a relaunch in the
// middle (the UI resumes at the stored step).
//
// An install that predates onboarding has no record; the API treats it as
// done when the user already watches folders, so an upgrade does not greet
// an existing user as a new one.
package onboarding
