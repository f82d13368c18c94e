// Package domain holds Sova's core types and rules: survey definitions and
// their validation, the answers a member may send, and the codes every error
// carries. It imports no framework, database or HTTP package, so the rules can
// be read, tested and reused (by the server, the console and the tools) without
// any of them.
package domain
