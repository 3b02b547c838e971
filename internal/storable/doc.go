// Package storable turns text into what every store and delivery log of the module
// keeps: valid UTF-8 without NUL. PostgreSQL refuses both the NUL character (which no
// text means, but Clockify takes in a description or a name) and bytes that are not
// UTF-8 (an error page from a proxy, a forged request's header); the other stores keep
// the same text, so that every store answers alike.
package storable
