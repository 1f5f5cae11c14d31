package cli

import (
	"errors"
	"fmt"

	"pactum/internal/apperr"
	"pactum/internal/i18n"
)

// describe turns an application error into an English sentence for the terminal, with the field
// errors of a validation failure.
func describe(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	bundle, loadErr := i18n.Load()
	if loadErr != nil {
		return err
	}
	l := bundle.Localizer("en")
	msg := l.T(e.Message.Key, e.Message.Args...)
	for field, m := range e.Fields {
		msg += fmt.Sprintf("\n  %s: %s", field, l.T(m.Key, m.Args...))
	}
	return errors.New(msg)
}
