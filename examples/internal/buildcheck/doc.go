// Package buildcheck holds a test that every example function builds as a
// Lambda custom-runtime binary for both architectures that provided.al2023
// offers.
package buildcheck
