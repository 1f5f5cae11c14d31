package importer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"unicode/utf8"
)

// The bounds of a workbook. A workbook is a zip of XML parts, and a zip can hold a thousand times
// what it weighs: each bound stops a small file from taking the server's memory or a minute of
// its time, and each is far above what a real workbook reaches.
const (
	// unpackRatio bounds what the parts read may unpack to, in proportion to the file: a sheet
	// of real rows packs 10 to 15 times (an agreement file of 100,000 rows: 4.4 MB, 57.6 MB
	// unpacked), and deflate at most about 1,000 times. minUnpack is the bound of small files.
	unpackRatio = 100
	minUnpack   = 16 << 20
	// maxCellChars is what one cell may hold, Excel's own limit: no importer's column is longer.
	maxCellChars = 32_767
	// maxToken bounds what the XML decoder gathers into one token (text, a tag and its
	// attributes, a comment), before it has gathered it: a cell's text written with the longest
	// character references (&#x10FFFF;) takes at most 10 bytes a character.
	maxToken = 10 * maxCellChars
	// maxRowBytes and maxColumns bound a row: the text of all its cells, and Excel's last
	// column (XFD).
	maxRowBytes = 1 << 20
	maxColumns  = 16_384
	// maxSharedBytes and maxSharedStrings bound the texts a workbook shares between its cells,
	// which are held while the sheet is read: the texts themselves and their count (four bytes
	// each).
	maxSharedBytes   = 128 << 20
	maxSharedStrings = 4 << 20
	// maxSmallPart bounds the workbook's list of sheets, its relationships and its styles,
	// each read in full before the sheet. Styles bloated by copy and paste reach a few MB.
	maxSmallPart = 16 << 20
	// maxParts bounds the entries of the zip, whose directory archive/zip reads whole, some 200
	// bytes an entry (a 50 MB file of a million empty entries took 209 MiB): a workbook has a few
	// dozen parts, a few hundred with many images.
	maxParts = 10_000
)

var (
	errUnpacked    = errors.New("the workbook unpacks to more than its bound")
	errPartLarge   = errors.New("a part of the workbook is larger than its bound")
	errTooLong     = errors.New("a text or a tag is longer than a cell may be")
	errEncoding    = errors.New("not UTF-8, or a NUL character")
	errSharedLarge = errors.New("the shared strings are larger than their bound")
	errManyParts   = errors.New("the zip has more entries than a workbook has parts")
)

// checkDirectory refuses a zip whose directory lists more than maxParts entries, before
// archive/zip reads the directory. It finds the end of the directory as archive/zip does: the
// last signature in the last 65 KiB followed by a whole record.
func checkDirectory(ra io.ReaderAt, size int64) error {
	tail := make([]byte, min(size, 65<<10))
	if _, err := ra.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return err
	}
	i := bytes.LastIndex(tail[:max(0, len(tail)-18)], []byte("PK\x05\x06"))
	if i < 0 {
		return nil // not a zip, which archive/zip says
	}
	entries := uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	if entries == 0xFFFF && i >= 20 && string(tail[i-20:i-16]) == "PK\x06\x07" {
		// Zip64: the count is in the record that the locator before the end points to.
		var rec [40]byte
		if _, err := ra.ReadAt(rec[:], int64(binary.LittleEndian.Uint64(tail[i-12:]))); err == nil && string(rec[:4]) == "PK\x06\x06" {
			entries = binary.LittleEndian.Uint64(rec[32:])
		}
	}
	if entries > maxParts {
		return errManyParts
	}
	return nil
}

// unpackBudget is what the parts of a workbook of size bytes may unpack to in all.
func unpackBudget(size int64) int64 { return max(minUnpack, unpackRatio*size) }

// partReader feeds one part of a workbook to the XML decoder, byte by byte from its own buffer
// (the decoder then adds none), and stops it as soon as a bound is passed: the bytes unpacked
// from the whole workbook (counted as they come, whatever the zip says), the bytes of the part,
// the bytes of one token (token counts them since the last one; the reader of the tokens sets
// it back to zero). It checks that the text is UTF-8 without NUL as it fills its buffer, so
// that the error comes when the decoder reaches the faulty byte, on its row.
type partReader struct {
	src      io.Reader
	budget   *int64 // bytes the workbook may still unpack
	partLeft int64  // bytes this part may still unpack
	partErr  error  // what passing partLeft means
	buf      []byte
	r, w     int   // buf[r:w] is checked and not read yet
	end      int   // buf[w:end] begins a character the next read completes
	err      error // after buf[r:w]
	token    int
}

func newPartReader(src io.Reader, budget *int64, partLeft int64, partErr error) *partReader {
	return &partReader{src: src, budget: budget, partLeft: partLeft, partErr: partErr, buf: make([]byte, 32<<10)}
}

func (p *partReader) ReadByte() (byte, error) {
	for p.r == p.w {
		if p.err != nil {
			return 0, p.err
		}
		p.fill()
	}
	if p.token++; p.token > maxToken {
		return 0, errTooLong
	}
	b := p.buf[p.r]
	p.r++
	return b, nil
}

// Read makes a partReader an io.Reader, which xml.NewDecoder takes; the decoder calls ReadByte.
func (p *partReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c, err := p.ReadByte()
		if err != nil {
			if n > 0 && err == io.EOF {
				err = nil
			}
			return n, err
		}
		b[n] = c
		n++
	}
	return n, nil
}

// fill reads what follows into the buffer, after the bytes of a character cut by the last read.
func (p *partReader) fill() {
	kept := copy(p.buf, p.buf[p.w:p.end])
	p.r, p.w, p.end = 0, 0, kept
	n, err := p.src.Read(p.buf[kept:])
	if *p.budget -= int64(n); *p.budget < 0 {
		p.err = errUnpacked
		return
	}
	if p.partLeft -= int64(n); p.partLeft < 0 {
		p.err = p.partErr
		return
	}
	p.end = kept + n
	cut := p.end
	if err == nil {
		cut = completeRunes(p.buf[:p.end])
	}
	p.w = textPrefix(p.buf[:cut])
	switch {
	case p.w < cut:
		p.err = errEncoding
	case err != nil:
		p.err = err
	}
}

// completeRunes is the length of b without the first bytes of a character cut at its end.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// textPrefix is the length of the longest start of b that is UTF-8 without NUL.
func textPrefix(b []byte) int {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return len(b)
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0 || r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// sharedStrings holds the texts that a sheet's cells name by number. They sit end to end in
// chunks that are never copied once written (a single growing buffer would need twice its size
// while it grows); no text crosses a chunk. ends[i] is where text i ends, counting every chunk
// as full, so that four bytes place each text.
type sharedStrings struct {
	chunks [][]byte
	ends   []uint32
	size   int
}

const chunkSize = 1 << 20

func (s *sharedStrings) add(text []byte) error {
	if len(s.ends) >= maxSharedStrings || s.size+len(text) > maxSharedBytes {
		return errSharedLarge
	}
	last := len(s.chunks) - 1
	if last < 0 || len(s.chunks[last])+len(text) > chunkSize {
		s.chunks = append(s.chunks, make([]byte, 0, min(chunkSize, max(64<<10, len(text)))))
		last++
	}
	s.chunks[last] = append(s.chunks[last], text...)
	s.ends = append(s.ends, uint32(last*chunkSize+len(s.chunks[last])))
	s.size += len(text)
	return nil
}

// get returns text i; ok is false for a number the workbook has no text for.
func (s *sharedStrings) get(i int) (text string, ok bool) {
	if i < 0 || i >= len(s.ends) {
		return "", false
	}
	end, prev := s.ends[i], uint32(0)
	if i > 0 {
		prev = s.ends[i-1]
	}
	if end == prev {
		return "", true
	}
	// A text that did not fit where the one before it ended starts its own chunk.
	start := max(prev, (end-1)&^(chunkSize-1))
	chunk := s.chunks[(end-1)/chunkSize]
	return string(chunk[start%chunkSize : (end-1)%chunkSize+1]), true
}

// unescapeText decodes the _xHHHH_ escapes with which Excel writes characters that XML cannot
// hold (a carriage return is _x000D_; _x005F_ is the underscore that keeps a literal "_x000D_").
func unescapeText(b []byte) []byte {
	if !bytes.Contains(b, []byte("_x")) {
		return b
	}
	out := b[:0] // in place: an escape of seven bytes is a character of at most three
	for i := 0; i < len(b); {
		if r, ok := bstrEscape(b[i:]); ok {
			out = utf8.AppendRune(out, r)
			i += 7
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// bstrEscape reads an _xHHHH_ escape at the start of b.
func bstrEscape(b []byte) (rune, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
