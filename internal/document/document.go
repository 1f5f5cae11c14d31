// Package document holds the files attached to records: due-diligence reports, signed
// agreements, scans. Every upload under a name is a new version; nothing is overwritten.
package document

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"time"

	"pactum/internal/apperr"
)

// MaxSize is the largest file accepted.
const MaxSize = 25 << 20

// MaxNameLength bounds a file's name, in characters: what file systems take.
const MaxNameLength = 255

// Owner types: what a document is attached to.
const (
	OwnerDueDiligence = "due_diligence"
	OwnerAgreement    = "agreement"
)

// Document is one version of a file.
type Document struct {
	ID           int64
	OwnerType    string
	OwnerID      int64
	Filename     string
	ContentType  string
	Size         int64
	SHA256       string
	Version      int
	UploadedBy   int64
	UploaderName string
	UploadedAt   time.Time
	Data         []byte // only when the file itself is read
}

// allowed are the kinds of file people attach: documents, spreadsheets, scans, e-mail.
var allowed = map[string]string{
	".pdf": "application/pdf", ".doc": "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".eml": "message/rfc822",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff",
	".zip": "application/zip",
}

// New makes a document from an upload, checking its name, size and kind. The content type is
// decided by the extension, not by what the browser claimed.
func New(ownerType string, ownerID int64, filename string, data []byte, uploadedBy int64) (*Document, error) {
	name := path.Base(strings.ReplaceAll(strings.TrimSpace(filename), "\\", "/"))
	errs := apperr.FieldErrors{}
	ext := strings.ToLower(path.Ext(name))
	contentType, ok := allowed[ext]
	switch {
	case name == "" || name == "." || name == "/":
		errs.Add("file", "document.error.name")
	case apperr.Text(name, MaxNameLength, false) != nil:
		errs.Add("file", "document.error.bad_name", "max", MaxNameLength)
	case len(data) == 0:
		errs.Add("file", "document.error.empty")
	case len(data) > MaxSize:
		errs.Add("file", "document.error.too_large", "mb", MaxSize>>20)
	case !ok:
		errs.Add("file", "document.error.kind")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	// A file that claims to be a PDF or an image must look like one.
	if sniffed := http.DetectContentType(data); (ext == ".pdf" && sniffed != "application/pdf") ||
		((ext == ".png" || ext == ".jpg" || ext == ".jpeg") && !strings.HasPrefix(sniffed, "image/")) {
		return nil, apperr.FieldErrors{"file": apperr.Msg("document.error.kind")}.Err()
	}
	sum := sha256.Sum256(data)
	return &Document{OwnerType: ownerType, OwnerID: ownerID, Filename: name, ContentType: contentType, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: uploadedBy, Data: data}, nil
}
