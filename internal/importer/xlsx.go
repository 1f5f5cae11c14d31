package importer

import (
	"archive/zip"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"pactum/internal/apperr"
)

// A workbook (.xlsx) is read here with the standard library rather than with excelize, which
// copies the file, reads every part but the sheet whole and a row's cells whole, so that one cell
// of a gigabyte (a megabyte zipped) took 8.5 GB. This reader takes the file in place, reads the
// first sheet as a stream, row by row, and refuses a workbook as soon as it passes one of the
// bounds of xlsx_part.go.

var (
	errRowLarge    = errors.New("a row holds more text than its bound")
	errColumns     = errors.New("a cell lies beyond Excel's last column")
	errSharedIndex = errors.New("a cell names a shared string the workbook does not have")
)

// partError is a part of the workbook larger than the bound of its kind.
type partError struct{ name string }

func (e *partError) Error() string {
	return e.name + " is larger than " + strconv.Itoa(maxSmallPart>>20) + " MiB"
}

// xlsxBook is a workbook being read: its zip, what it may still unpack, and what the cells of
// its sheet need to be read (the shared strings, the kind of number each style shows).
type xlsxBook struct {
	zip      *zip.Reader
	limit    int64 // what the workbook may unpack to, for the message
	budget   int64 // what it may still unpack
	date1904 bool  // the workbook counts days from 1904 (old Excel for Mac) instead of 1900
	styles   []numberKind
	shared   sharedStrings
}

func readXLSX(ra io.ReaderAt, size int64, fn func(row int, cells []string) error) error {
	if err := checkDirectory(ra, size); err != nil {
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xlsx"), Err: err}
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xlsx"), Err: err}
	}
	b := &xlsxBook{zip: zr, limit: unpackBudget(size)}
	b.budget = b.limit
	sheet, err := b.prepare()
	if err != nil {
		return b.readError(1, false, err)
	}
	if sheet == "" {
		return nil
	}
	return b.readSheet(sheet, fn)
}

// prepare reads what comes before the rows: which part is the first sheet, the date system,
// the styles and the shared strings. A workbook without a sheet is "".
func (b *xlsxBook) prepare() (sheet string, err error) {
	id, err := b.readWorkbook()
	if err != nil || id == "" {
		return "", err
	}
	sheet, shared, styles, err := b.readRelations(id)
	if err != nil {
		return "", err
	}
	if sheet == "" {
		return "", fmt.Errorf("no part for the sheet %q", id)
	}
	if err := b.readStyles(styles); err != nil {
		return "", err
	}
	return sheet, b.readShared(shared)
}

// xmlPart is a part being read as XML.
type xmlPart struct {
	in  *partReader
	dec *xml.Decoder
	rc  io.ReadCloser
}

// next returns the next token. Raw tokens keep no stack of open elements, so that deep nesting
// costs nothing; what this reader needs of the nesting it follows itself.
func (p *xmlPart) next() (xml.Token, error) {
	t, err := p.dec.RawToken()
	p.in.token = 0
	return t, err
}

func (p *xmlPart) Close() error { return p.rc.Close() }

// open opens a part by its name. A small part (the list of sheets, relationships, styles) may
// unpack to maxSmallPart; the others, to what the workbook may still unpack. A part that is not
// there is nil.
func (b *xlsxBook) open(name string, small bool) (*xmlPart, error) {
	var f *zip.File
	for _, zf := range b.zip.File {
		if strings.EqualFold(strings.TrimPrefix(strings.ReplaceAll(zf.Name, `\`, "/"), "/"), name) {
			f = zf
			break
		}
	}
	if f == nil {
		return nil, nil
	}
	limit, tooLarge := b.budget, errUnpacked
	if small {
		limit, tooLarge = maxSmallPart, error(&partError{name})
	}
	// What the zip says a part unpacks to refuses the honest bomb at once; the bytes are
	// counted as they come all the same.
	switch {
	case f.UncompressedSize64 > uint64(limit):
		return nil, tooLarge
	case f.UncompressedSize64 > uint64(b.budget):
		return nil, errUnpacked
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	in := newPartReader(rc, &b.budget, limit, tooLarge)
	return &xmlPart{in: in, dec: xml.NewDecoder(in), rc: rc}, nil
}

// readWorkbook reads xl/workbook.xml: the date system and the relationship of the first sheet.
func (b *xlsxBook) readWorkbook() (id string, err error) {
	p, err := b.open("xl/workbook.xml", true)
	if err != nil || p == nil {
		return "", cmp.Or(err, errors.New("no xl/workbook.xml"))
	}
	defer p.Close()
	for {
		t, err := p.next()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		e, ok := t.(xml.StartElement)
		switch {
		case !ok:
		case e.Name.Local == "workbookPr":
			v := attr(e, "date1904")
			b.date1904 = v == "1" || v == "true"
		case e.Name.Local == "sheet":
			for _, a := range e.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					return a.Value, nil
				}
			}
			return "", errors.New("a sheet without its relationship")
		}
	}
}

// readRelations reads xl/_rels/workbook.xml.rels for the parts of the sheet, the shared strings
// and the styles.
func (b *xlsxBook) readRelations(id string) (sheet, shared, styles string, err error) {
	shared, styles = "xl/sharedStrings.xml", "xl/styles.xml"
	p, err := b.open("xl/_rels/workbook.xml.rels", true)
	if err != nil || p == nil {
		return "", "", "", cmp.Or(err, errors.New("no xl/_rels/workbook.xml.rels"))
	}
	defer p.Close()
	for {
		t, err := p.next()
		if err == io.EOF {
			return sheet, shared, styles, nil
		}
		if err != nil {
			return "", "", "", err
		}
		e, ok := t.(xml.StartElement)
		if !ok || e.Name.Local != "Relationship" || attr(e, "TargetMode") == "External" {
			continue
		}
		target, kind := partPath(attr(e, "Target")), attr(e, "Type")
		switch {
		case attr(e, "Id") == id:
			sheet = target
		case strings.HasSuffix(kind, "/sharedStrings"):
			shared = target
		case strings.HasSuffix(kind, "/styles"):
			styles = target
		}
	}
}

// partPath is the part a relationship of the workbook names: relative to xl/, or from the root
// of the zip when it starts with a slash.
func partPath(target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join("xl", target)
}

// readStyles reads the number format of each cell style, to know which numbers are dates.
func (b *xlsxBook) readStyles(name string) error {
	p, err := b.open(name, true)
	if err != nil || p == nil {
		return err
	}
	defer p.Close()
	formats := map[int]numberKind{} // the workbook's own formats
	cellStyles := false
	for {
		t, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "numFmt":
				if id, err := strconv.Atoi(attr(e, "numFmtId")); err == nil {
					formats[id] = formatKind(attr(e, "formatCode"))
				}
			case "cellXfs":
				cellStyles = true
			case "xf":
				if cellStyles {
					id, _ := strconv.Atoi(attr(e, "numFmtId"))
					kind, ok := formats[id]
					if !ok {
						kind = builtinKind(id)
					}
					b.styles = append(b.styles, kind)
				}
			}
		case xml.EndElement:
			if e.Name.Local == "cellXfs" {
				return nil
			}
		}
	}
}

// readShared reads the shared strings: each <si> is the text of its <t>, or of its runs' <t>,
// without the phonetic guide (<rPh>) of East Asian text.
func (b *xlsxBook) readShared(name string) error {
	p, err := b.open(name, false)
	if err != nil || p == nil {
		return err
	}
	defer p.Close()
	var text []byte
	item, inText, phonetic := false, false, false
	for {
		t, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "si":
				item, text = true, text[:0]
			case "t":
				inText = item && !phonetic
			case "rPh":
				phonetic = true
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inText = false
			case "rPh":
				phonetic = false
			case "si":
				item = false
				s := unescapeText(text)
				if tooLong(s) {
					return errTooLong
				}
				if err := b.shared.add(s); err != nil {
					return err
				}
			}
		case xml.CharData:
			if inText {
				if text = append(text, e...); len(text) > utf8.UTFMax*maxCellChars {
					return errTooLong
				}
			}
		}
	}
}

// readError says what stops the reading of the workbook on a row, in the reader's language.
func (b *xlsxBook) readError(row int, inRow bool, err error) error {
	msg := apperr.Msg("import.error.xlsx")
	var pe *partError
	switch {
	case errors.Is(err, errEncoding):
		msg = apperr.Msg("import.error.encoding")
	case errors.Is(err, errUnpacked):
		msg = apperr.Msg("import.error.xlsx_unpacked", "mb", b.limit>>20)
	case errors.Is(err, errTooLong) && inRow:
		msg = apperr.Msg("import.error.xlsx_cell", "max", maxCellChars)
	case errors.Is(err, errTooLong):
		msg = apperr.Msg("import.error.xlsx_text", "max", maxCellChars)
	case errors.Is(err, errRowLarge):
		msg = apperr.Msg("import.error.xlsx_row", "mb", maxRowBytes>>20)
	case errors.Is(err, errColumns):
		msg = apperr.Msg("import.error.xlsx_columns", "max", maxColumns)
	case errors.Is(err, errSharedLarge):
		msg = apperr.Msg("import.error.xlsx_strings", "max", maxSharedStrings, "mb", maxSharedBytes>>20)
	case errors.As(err, &pe):
		msg = apperr.Msg("import.error.xlsx_part", "part", pe.name, "mb", maxSmallPart>>20)
	}
	return &ReadError{Row: row, Message: msg, Err: err}
}

// attr is the value of an element's attribute without a namespace prefix.
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// tooLong says whether a cell's text is longer than a cell may be.
func tooLong(text []byte) bool {
	return len(text) > maxCellChars && utf8.RuneCount(text) > maxCellChars
}
