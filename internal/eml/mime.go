package eml

import (
	"bytes"
	"strings"
)

// walker visits the MIME tree, collecting readable text and attachment
// names.
type walker struct {
	d           *decoder
	bodies      []string
	attachments []string
	parts       int
}

// part is a MIME entity with its header parsed.
type part struct {
	h           header
	body        []byte
	typ         string
	params      map[string]string
	disposition string
	filename    string
}

func (w *walker) parse(h header, body []byte, defaultType string) part {
	p := part{h: h, body: body}
	p.typ, p.params = w.d.mediaType(h.get("content-type"))
	if !strings.Contains(p.typ, "/") {
		if p.typ == "" || p.typ == "text" {
			p.typ = defaultType
		} else {
			p.typ = "application/octet-stream"
		}
	}
	disp, dparams := w.d.mediaType(h.get("content-disposition"))
	p.disposition = disp
	p.filename = cleanLine(dparams["filename"])
	if p.filename == "" {
		p.filename = cleanLine(p.params["name"])
	}
	if p.filename == "" {
		p.filename = cleanLine(dparams["name"])
	}
	return p
}

// isBody reports whether p is readable text rather than an attachment.
func (p part) isBody() bool {
	return (p.typ == "text/plain" || p.typ == "text/html") && p.filename == "" && p.disposition != "attachment"
}

// content returns the body with its Content-Transfer-Encoding undone.
func (p part) content() []byte {
	switch strings.ToLower(strings.TrimSpace(stripComments(p.h.get("content-transfer-encoding")))) {
	case "base64":
		return decodeBase64(p.body)
	case "quoted-printable":
		return decodeQP(p.body)
	}
	return p.body
}

// walk visits the entity with header h.
func (w *walker) walk(h header, body []byte, depth int, defaultType string) {
	w.visit(w.parse(h, body, defaultType), depth, false)
}

// visit collects the text and attachments of p; with textOff only the
// attachments, for the alternatives that lost to a better one.
func (w *walker) visit(p part, depth int, textOff bool) {
	w.parts++
	if w.parts > maxParts || depth > maxDepth {
		return
	}
	switch {
	case strings.HasPrefix(p.typ, "multipart/"):
		children := w.children(p)
		if children == nil {
			if !textOff {
				w.addText(part{h: p.h, body: p.body, typ: "text/plain", params: p.params})
			}
			return
		}
		switch p.typ {
		case "multipart/alternative":
			w.alternative(children, depth, textOff)
		case "multipart/related":
			w.visit(children[0], depth+1, textOff)
			for _, c := range children[1:] {
				// Embedded resources (images referred to by the HTML) are not
				// attachments unless marked as such.
				if c.disposition == "attachment" {
					w.visit(c, depth+1, textOff)
				}
			}
		default:
			for _, c := range children {
				w.visit(c, depth+1, textOff)
			}
		}
	case p.typ == "message/rfc822" || p.typ == "message/global":
		name := p.filename
		if name == "" {
			h, _ := readHeader(prepare(p.content()))
			name = cleanLine(w.d.words(h.get("subject")))
			if name == "" {
				name = "message"
			}
			if !strings.HasSuffix(strings.ToLower(name), ".eml") {
				name += ".eml"
			}
		}
		w.addAttachment(name)
	case p.isBody():
		if !textOff {
			w.addText(p)
		}
	case p.filename != "":
		w.addAttachment(p.filename)
	case p.typ == "application/ms-tnef" || p.typ == "application/vnd.ms-tnef":
		w.addAttachment("winmail.dat")
	}
}

// alternative keeps the text of the best alternative — plain text, else
// HTML, skipping empty ones — and the attachments of all of them, once.
func (w *walker) alternative(children []part, depth int, textOff bool) {
	order := make([]int, 0, len(children))
	for r := 3; r >= 0; r-- {
		for i, c := range children {
			if w.rank(c, 3) == r {
				order = append(order, i)
			}
		}
	}
	firstAtt := len(w.attachments)
	chosen := textOff
	for _, i := range order {
		if chosen {
			w.visit(children[i], depth+1, true)
			continue
		}
		before := len(w.bodies)
		w.visit(children[i], depth+1, false)
		if strings.TrimSpace(strings.Join(w.bodies[before:], "")) != "" {
			chosen = true
		} else {
			w.bodies = w.bodies[:before]
		}
	}
	seen := make(map[string]bool)
	kept := w.attachments[:firstAtt]
	for _, a := range w.attachments[firstAtt:] {
		if !seen[a] {
			seen[a] = true
			kept = append(kept, a)
		}
	}
	w.attachments = kept
}

// rank scores an alternative: 3 plain text, 2 HTML, 1 other multipart, 0
// other. It looks at most levels deep into nested multiparts.
func (w *walker) rank(p part, levels int) int {
	switch {
	case p.isBody() && p.typ == "text/plain":
		return 3
	case p.isBody():
		return 2
	case strings.HasPrefix(p.typ, "multipart/") && levels > 0:
		children := w.children(p)
		if len(children) == 0 {
			return 1
		}
		if p.typ != "multipart/alternative" {
			children = children[:1]
		}
		best := 1
		for _, c := range children {
			best = max(best, w.rank(c, levels-1))
		}
		return best
	}
	return 0
}

// children splits a multipart body into its parts, or returns nil when no
// boundary delimiter is found.
func (w *walker) children(p part) []part {
	body := p.content()
	boundary := strings.Trim(p.params["boundary"], " \t\"")
	raw := splitMultipart(body, boundary)
	if raw == nil {
		if b := guessBoundary(body); b != "" && b != boundary {
			raw = splitMultipart(body, b)
		}
	}
	if raw == nil {
		return nil
	}
	def := "text/plain"
	if p.typ == "multipart/digest" {
		def = "message/rfc822"
	}
	out := make([]part, 0, len(raw))
	for _, r := range raw {
		h, b := readHeader(r)
		out = append(out, w.parse(h, b, def))
		if len(out) >= maxParts {
			break
		}
	}
	return out
}

// splitMultipart returns the parts between "--boundary" delimiter lines, or
// nil when there is none. A missing closing delimiter ends the last part at
// the end of the body.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	found := false
	for pos := 0; pos < len(body); {
		end := bytes.IndexByte(body[pos:], '\n')
		next := len(body)
		if end < 0 {
			end = len(body)
		} else {
			end += pos
			next = end + 1
		}
		line := body[pos:end]
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t\r")
			if len(rest) == 0 || bytes.HasPrefix(rest, []byte("--")) {
				found = true
				if start >= 0 {
					parts = append(parts, body[start:max(start, pos-1)])
				}
				if len(rest) > 0 {
					return parts
				}
				start = next
			}
		}
		pos = next
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	if !found {
		return nil
	}
	return parts
}

// guessBoundary returns the boundary of the first line that looks like a
// delimiter, for multiparts whose boundary parameter is missing or wrong.
func guessBoundary(body []byte) string {
	for pos := 0; pos < len(body); {
		end := bytes.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body) - pos
		}
		line := bytes.TrimRight(body[pos:pos+end], " \t\r")
		if len(line) > 2 && line[0] == '-' && line[1] == '-' && line[2] > ' ' &&
			bytes.IndexAny(line, " \t") < 0 {
			return string(line[2:])
		}
		pos += end + 1
	}
	return ""
}

// addText decodes a text/plain or text/html part into w.bodies.
func (w *walker) addText(p part) {
	b := p.content()
	cs := p.params["charset"]
	if p.typ == "text/html" && normCharset(cs) == "" {
		cs = metaCharset(b)
	}
	s := decodeCharset(b, cs, w.d.hint)
	if p.typ == "text/html" {
		s = htmlToText(s)
	} else if strings.EqualFold(p.params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(p.params["delsp"], "yes"))
	}
	w.bodies = append(w.bodies, s)
}

func (w *walker) addAttachment(name string) {
	if name != "" && len(w.attachments) < maxAttachments {
		w.attachments = append(w.attachments, name)
	}
}

// metaCharset finds the charset of a <meta> element near the start of an
// HTML document.
func metaCharset(b []byte) string {
	s := asciiLower(string(b[:min(len(b), 8192)]))
	for {
		i := strings.Index(s, "<meta")
		if i < 0 {
			return ""
		}
		s = s[i+5:]
		end := strings.IndexByte(s, '>')
		if end < 0 {
			end = len(s)
		}
		tag := s[:end]
		if j := strings.Index(tag, "charset"); j >= 0 {
			v := strings.TrimLeft(tag[j+len("charset"):], " \t\n")
			if v, ok := strings.CutPrefix(v, "="); ok {
				v = strings.TrimLeft(v, " \t\n\"'")
				k := strings.IndexAny(v, "\"'; \t\n/")
				if k < 0 {
					k = len(v)
				}
				return v[:k]
			}
		}
	}
}
