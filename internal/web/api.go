package web

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/csvsafe"
	"pactum/internal/insight"
	"pactum/internal/user"
)

// serveAPI authenticates an API call by its bearer token and runs handler for staff accounts.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, handler http.HandlerFunc) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pactum"`)
		s.apiError(w, r, apperr.New(apperr.Unauthorized, "auth.error.token"))
		return
	}
	u, err := s.db.APITokenUser(r.Context(), user.HashSecret(strings.TrimSpace(token)))
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pactum", error="invalid_token"`)
		}
		s.apiError(w, r, err)
		return
	}
	if !apiStaff.allows(u) {
		s.apiError(w, r, apperr.New(apperr.Forbidden, "error.page.forbidden_text"))
		return
	}
	handler(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
}

// statusOf maps an error code to its HTTP status, in one place.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Busy:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type apiErrorBody struct {
	Error struct {
		Code    apperr.Code       `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// apiError answers an error as JSON, translated for the caller's Accept-Language; the cause of an
// internal error goes to the log only.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	l := localizer(r)
	var body apiErrorBody
	var e *apperr.Error
	if errors.As(err, &e) {
		body.Error.Code = e.Code
		body.Error.Message = l.T(e.Message.Key, e.Message.Args...)
		for field, m := range e.Fields {
			if body.Error.Fields == nil {
				body.Error.Fields = map[string]string{}
			}
			body.Error.Fields[field] = l.T(m.Key, m.Args...)
		}
	} else {
		s.log.Error("API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Error.Code = apperr.Internal
		body.Error.Message = l.T("error.page.internal_text")
	}
	writeJSON(w, statusOf(body.Error.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

type reportRowJSON struct {
	Key        string  `json:"key,omitempty"`
	New        float64 `json:"new"`
	Amendments float64 `json:"amendments"`
	ValueUSD   float64 `json:"value_usd"`
}

type reportJSON struct {
	By    insight.Dimension `json:"by"`
	From  int               `json:"from"`
	To    int               `json:"to"`
	Rows  []reportRowJSON   `json:"rows"`
	Total reportRowJSON     `json:"total"`
}

// counts are rounded to six decimals: a third of an agreement is 0.333333, not 0.3333333333333333.
func roundCount(f float64) float64 { return math.Round(f*1e6) / 1e6 }

func rowJSON(r insight.Row) reportRowJSON {
	return reportRowJSON{Key: r.Key, New: roundCount(r.New), Amendments: roundCount(r.Amendments), ValueUSD: r.ValueUSD.Units()}
}

// apiAgreementReport answers GET /api/v1/reports/agreements?from=YYYY&to=YYYY&by=…: agreements
// counted and valued by a dimension, as JSON, or as CSV for Accept: text/csv. The period defaults
// to the last four full years and the dimension to year.
func (s *Server) apiAgreementReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lastFull := time.Now().Year() - 1
	errs := apperr.FieldErrors{}
	year := func(name string, fallback int) int {
		v := q.Get(name)
		if v == "" {
			return fallback
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs.Add(name, "insight.error.year")
		}
		return n
	}
	from, to := year("from", lastFull-3), year("to", lastFull)
	by := insight.Dimension(q.Get("by"))
	if by == "" {
		by = insight.ByYear
	}
	if err := errs.Err(); err != nil {
		s.apiError(w, r, err)
		return
	}
	report, err := s.db.AgreementReport(r.Context(), by, from, to)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := reportJSON{By: report.By, From: report.From, To: report.To, Rows: []reportRowJSON{}, Total: rowJSON(report.Total)}
	for _, row := range report.Rows {
		out.Rows = append(out.Rows, rowJSON(row))
	}
	if strings.Contains(r.Header.Get("Accept"), "text/csv") {
		writeReportCSV(w, out)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeReportCSV(w http.ResponseWriter, report reportJSON) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	cw := csvsafe.NewWriter(w)
	format := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	money := func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
	cw.Write([]string{string(report.By), "new", "amendments", "value_usd"})
	for _, row := range report.Rows {
		cw.Write([]string{row.Key, format(row.New), format(row.Amendments), money(row.ValueUSD)})
	}
	cw.Write([]string{"total", format(report.Total.New), format(report.Total.Amendments), money(report.Total.ValueUSD)})
	cw.Flush()
}
