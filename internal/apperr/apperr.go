// Package apperr is Pactum's one application error type. Each error has a code that decides the
// HTTP status in one place and a message key that is translated for the person who sees it; the
// wrapped cause goes to the log, never to the user.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers: what went wrong, not where.
type Code string

// The codes, each mapped to one HTTP status by the web layer.
const (
	NotFound     Code = "not_found"    // 404
	Invalid      Code = "invalid"      // 422: the input breaks a rule; Fields says where
	Conflict     Code = "conflict"     // 409: a unique key is taken or the record changed meanwhile
	Unauthorized Code = "unauthorized" // 401: not signed in or bad credentials
	Forbidden    Code = "forbidden"    // 403: signed in but not allowed
	Busy         Code = "busy"         // 503: the database is taken by other work; nothing was saved, try again
	Internal     Code = "internal"     // 500: a fault of ours
)

// Message is a translation key with its arguments, translated when a page or e-mail is rendered.
// Args are name, value pairs that fill the {name} placeholders of the translation.
type Message struct {
	Key  string
	Args []any
}

// Msg builds a Message.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// FieldErrors maps a form or file field to what is wrong with it.
type FieldErrors map[string]Message

// Add records a problem with field, keeping the first one reported.
func (f FieldErrors) Add(field, key string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = Msg(key, args...)
	}
}

// Err returns an Invalid error carrying the field errors, or nil when there are none.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: Msg("error.invalid"), Fields: f}
}

// Error is an error with a code, a translatable message and, for Invalid, the fields at fault.
type Error struct {
	Code    Code
	Message Message
	Fields  FieldErrors
	Err     error // the cause, for the log
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Message: Msg(key, args...)}
}

// Wrap returns an error with code and message key that keeps err as its cause.
func Wrap(code Code, err error, key string, args ...any) *Error {
	return &Error{Code: code, Message: Msg(key, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// FieldsOf returns the field errors of the first *Error in err's chain, or nil.
func FieldsOf(err error) FieldErrors {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
