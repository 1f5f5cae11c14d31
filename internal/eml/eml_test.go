package eml

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

func parseFile(t *testing.T, name string) *Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func parseString(t *testing.T, s string) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func checkMessage(t *testing.T, got, want *Message) {
	t.Helper()
	if !got.Date.Equal(want.Date) || got.Date.IsZero() != want.Date.IsZero() {
		t.Errorf("Date = %v, want %v", got.Date, want.Date)
	}
	if got.From != want.From {
		t.Errorf("From = %q, want %q", got.From, want.From)
	}
	if !reflect.DeepEqual(got.To, want.To) {
		t.Errorf("To = %q, want %q", got.To, want.To)
	}
	if !reflect.DeepEqual(got.Cc, want.Cc) {
		t.Errorf("Cc = %q, want %q", got.Cc, want.Cc)
	}
	if got.Subject != want.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, want.Subject)
	}
	if got.Text != want.Text {
		t.Errorf("Text = %q\nwant   %q", got.Text, want.Text)
	}
	if got.MessageID != want.MessageID {
		t.Errorf("MessageID = %q, want %q", got.MessageID, want.MessageID)
	}
}

func TestParseEnglishPlainUTF8(t *testing.T) {
	checkMessage(t, parseFile(t, "en_plain_utf8.eml"), &Message{
		Date:    date("2017-03-14T08:12:31Z"),
		From:    Address{"Sarah Johnson", "sarah.johnson@connectfoundation.example"},
		To:      []Address{{"Partnerships Office", "partnerships@bdt.example"}},
		Subject: "Follow-up on the Smart Villages concept note",
		Text: "Dear colleagues,\n\n" +
			"Thank you for sending the concept note on Smart Villages in the Sahel.\n" +
			"Our board reviewed it last week and would like to discuss a contribution\n" +
			"of about €250,000 over two years – in cash and in kind.\n\n" +
			"Could we schedule a call before the WTDC‑17 preparatory meeting?\n\n" +
			"Best regards,\nSarah Johnson\nProgramme Officer, Connect Foundation",
		MessageID: "DB6PR0701MB2456A1B2C3D4E5F6@DB6PR0701MB2456.eurprd07.prod.outlook.example",
	})
}

func TestParseFrenchQuotedPrintableLatin1(t *testing.T) {
	checkMessage(t, parseFile(t, "fr_qp_latin1.eml"), &Message{
		Date:    date("2017-04-05T16:47:02+02:00"),
		From:    Address{"Hélène Dupré", "helene.dupre@ministere-numerique.example"},
		To:      []Address{{"", "bdt-partenariats@bdt.example"}},
		Subject: "Proposition de partenariat : académie du numérique à Dakar",
		// format=flowed: the soft line breaks are joined.
		Text: "Madame, Monsieur,\n\n" +
			"Suite à notre réunion du 28 mars à Genève, le ministère souhaite proposer un partenariat " +
			"pour la création d'une académie du numérique à Dakar (objectif = 500 apprenants par an).\n\n" +
			"Le budget prévisionnel s'élève à 1 200 000 EUR ; nous proposons une contribution de 40 % " +
			"en nature (locaux, équipements).\n\n" +
			"Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.\n\n" +
			"--\nHélène Dupré\nDirection de la coopération internationale",
		MessageID: "5a1f3c2e-8d4b-4c1a-9e77-2f0b6d9c1a34@ministere-numerique.example",
	})
}

func TestParseRussianWindows1251Base64(t *testing.T) {
	checkMessage(t, parseFile(t, "ru_cp1251_base64.eml"), &Message{
		Date:    date("2017-05-18T11:05:19+03:00"),
		From:    Address{"Алексей Смирнов", "a.smirnov@minsvyaz.example"},
		To:      []Address{{"Partnerships", "partnerships@bdt.example"}},
		Subject: "Региональная инициатива СНГ: предложение о сотрудничестве",
		Text: "Уважаемые коллеги!\n\n" +
			"Министерство связи предлагает совместно реализовать региональную инициативу\n" +
			"по развитию широкополосного доступа в сельских районах стран СНГ.\n\n" +
			"Предварительный объём финансирования — 150 000 долларов США.\n\n" +
			"С уважением,\nАлексей Смирнов",
		MessageID: "000001d2cfb1$5a8e3c10$0faab430$@minsvyaz.example",
	})
}

func TestParseChineseHTMLOnlyGB2312(t *testing.T) {
	checkMessage(t, parseFile(t, "zh_gb2312_html.eml"), &Message{
		Date:    date("2017-07-10T15:30:00+08:00"),
		From:    Address{"李伟", "liwei@zhongxin-tech.example"},
		To:      []Address{{"partnerships", "partnerships@bdt.example"}},
		Cc:      []Address{{"王芳", "wangfang@zhongxin-tech.example"}},
		Subject: "关于赞助2017年世界电信发展大会边会的意向",
		// Title, style and script dropped; entities decoded; divs and
		// paragraphs kept as lines. html2text, which enmime uses, writes
		// bold text between asterisks, the plain-text way to show it, and
		// puts a space between an element and the text after it (here
		// before "。", which the old converter did not).
		Text: "尊敬的合作伙伴办公室：\n\n" +
			"我公司希望赞助 WTDC-17 的边会活动，预算约为 *5万美元* 。\n" +
			"请提供赞助方案及报价&时间表。\n\n" +
			"此致\n敬礼\n\n" +
			"李伟<中信科技>",
		MessageID: "201707101530004218305@zhongxin-tech.example",
	})
}

func TestParseArabicAlternativeWithAttachment(t *testing.T) {
	checkMessage(t, parseFile(t, "ar_alternative_utf8.eml"), &Message{
		Date:    date("2017-09-03T10:21:07+03:00"),
		From:    Address{"عمر الحداد", "omar.haddad@arabdev-fund.example"},
		To:      []Address{{"", "partnerships@bdt.example"}},
		Cc:      []Address{{"ليلى ناصر", "layla.nasser@arabdev-fund.example"}},
		Subject: "مشروع التحول الرقمي في المنطقة العربية",
		// The text/plain alternative, not the HTML one.
		Text: "السادة المحترمون،\n\n" +
			"يسر الصندوق العربي للتنمية أن يقترح التعاون في مشروع التحول الرقمي.\n" +
			"المساهمة المقترحة: 500,000 دولار أمريكي.\n\n" +
			"مع خالص التحية،\nعمر الحداد",
		MessageID: "CAK7pQ2x9Zr4mHf1sB8vT3nW0yLd6uE5jA2cR9oKbV1gXhP4qfA@mail.gmail.example",
	})
}

func TestParseFoldedHeadersAndCc(t *testing.T) {
	m := parseFile(t, "es_folded_cc.eml")
	checkMessage(t, m, &Message{
		Date: date("2017-10-20T17:45:12Z"),
		From: Address{"Pérez Gómez, Ana", "ana.perez@telecom-latam.example"},
		To: []Address{
			{"Partnerships Office", "partnerships@bdt.example"},
			{"Regional Office for the Americas", "ro-americas@bdt.example"},
			{"Jorge Ramírez", "jramirez@telecom-latam.example"}, // raw UTF-8 in the header
		},
		Cc: []Address{
			{"Silva, Marcos", "marcos.silva@telecom-latam.example"}, // unquoted comma
			{"María Fernández", "maria.fernandez@telecom-latam.example"},
			{"", "proyectos@telecom-latam.example"},
		},
		// Two base64 encoded-words splitting the bytes of "ó".
		Subject: "RV: Convocatoria de la reunión del Grupo de Trabajo sobre conectividad rural",
		Text: "Estimados colegas:\n\n" +
			"Les reenvío la convocatoria de la reunión del Grupo de Trabajo sobre\n" +
			"conectividad rural, que se celebrará en Bogotá el 14 de noviembre.\n\n" +
			"Saludos cordiales,\nAna Pérez Gómez",
		// The forwarded message's text is not read.
		MessageID: "BN6PR11MB1234E9F0A1B2C3D4E5F6A7B8@BN6PR11MB1234.namprd11.prod.outlook.example",
	})
	want := []string{
		"ana.perez@telecom-latam.example", "partnerships@bdt.example", "ro-americas@bdt.example",
		"jramirez@telecom-latam.example", "marcos.silva@telecom-latam.example",
		"maria.fernandez@telecom-latam.example", "proyectos@telecom-latam.example",
	}
	if got := m.Addresses(); !reflect.DeepEqual(got, want) {
		t.Errorf("Addresses() = %q, want %q", got, want)
	}
}

func TestParseBadDate(t *testing.T) {
	// Also: a UTF-8 byte-order mark, no MIME header fields, a name in a
	// comment and an empty group as recipients.
	checkMessage(t, parseFile(t, "bad_date.eml"), &Message{
		From:    Address{"John Doe", "jdoe@univ-research.example"},
		Subject: "Re: capacity building workshop - venue",
		Text: "Hi,\n\nthe lecture hall in building B is booked for the workshop.\n" +
			"  - 40 seats\n  - projector and interpretation booths\n\nJohn",
		MessageID: "20170913143000.GA4711@univ-research.example",
	})
}

func TestParseNotEmail(t *testing.T) {
	inputs := map[string]string{
		"empty":  "",
		"blank":  "\r\n\r\n  \n",
		"text":   "Dear colleagues,\nplease find the report attached.\n",
		"binary": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
		"pdf":    "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
		"csv":    "name;email\nJohn;john@example.org\n",
		"json":   `{"from": "x@example.org", "subject": "hi"}`,
		"fields": "X-Unknown: 1\nFoo: bar\n\nbody\n",
	}
	for name, in := range inputs {
		m, err := Parse(strings.NewReader(in))
		if !errors.Is(err, ErrNotEmail) || m != nil {
			t.Errorf("%s: Parse = %v, %v; want ErrNotEmail", name, m, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "eml: header: ") {
			t.Errorf("%s: error %q lacks context", name, err)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	head := "From: a@example.org\nSubject: big\n\n"
	r := io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, MaxSize))
	if _, err := Parse(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse = %v, want ErrTooLarge", err)
	}
	// Exactly MaxSize is accepted.
	r = io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, MaxSize-int64(len(head))))
	if _, err := Parse(r); err != nil {
		t.Fatalf("Parse at MaxSize: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	_, err := Parse(failReader{})
	if err == nil || !strings.Contains(err.Error(), "eml: read: disk on fire") {
		t.Fatalf("Parse = %v", err)
	}
}

func TestParseTextTruncated(t *testing.T) {
	body := strings.Repeat("Партнёрство ", MaxText/10)
	m := parseString(t, "From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\n"+body)
	if len(m.Text) > MaxText || !strings.HasSuffix(m.Text, TruncatedMarker) || !utf8.ValidString(m.Text) {
		t.Fatalf("len(Text) = %d, suffix %q, valid %v", len(m.Text), m.Text[len(m.Text)-40:], utf8.ValidString(m.Text))
	}
}

func TestParseEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Message
	}{
		{
			name: "mbox separator line and LF endings",
			in:   "From jdoe@example.org Mon Mar  6 10:00:00 2017\nFrom: jdoe@example.org\nSubject: hi\n\nbody\n",
			want: Message{From: Address{"", "jdoe@example.org"}, Subject: "hi", Text: "body"},
		},
		{
			name: "CR line endings",
			in:   "Subject: old Mac\rFrom: a@example.org\r\rline 1\rline 2\r",
			want: Message{From: Address{"", "a@example.org"}, Subject: "old Mac", Text: "line 1\nline 2"},
		},
		{
			name: "raw koi8-r header and body without declared charset, hinted by another part",
			in: "From: \xe1\xcc\xc5\xcb\xd3\xc5\xca <a@example.ru>\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n--b\nContent-Type: text/plain; charset=koi8-r\n\n\xe4\xc1\n--b--\n",
			// enmime separates the text parts of a mixed message with a "--" line.
			want: Message{From: Address{"Алексей", "a@example.ru"}, Text: "Привет\n--\nДа"},
		},
		{
			name: "undeclared 8-bit text that is not UTF-8 falls back to windows-1252",
			in:   "Subject: caf\xe9\n\ncaf\xe9 cr\xe8me\n",
			want: Message{Subject: "café", Text: "café crème"},
		},
		{
			name: "iso-8859-1 label on UTF-8 text",
			in:   "Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n\nGenève\n",
			want: Message{Subject: "x", Text: "Genève"},
		},
		{
			name: "us-ascii label on UTF-8 text",
			in:   "Subject: x\nContent-Type: text/plain; charset=us-ascii\n\nBogotá – 5 €\n",
			want: Message{Subject: "x", Text: "Bogotá – 5 €"},
		},
		{
			name: "UTF-8 text without MIME header fields",
			in:   "Subject: Genève\nFrom: a@example.org\n\nRéunion à Genève – 5 €\n",
			want: Message{From: Address{"", "a@example.org"}, Subject: "Genève", Text: "Réunion à Genève – 5 €"},
		},
		{
			name: "unknown charset is read as UTF-8 with invalid bytes replaced",
			in:   "Subject: =?x-unheard-of?Q?=C3=A9t=E9?=\nContent-Type: text/plain; charset=x-unheard-of\n\nok \xff\n",
			// enmime shows an encoded-word in a charset it does not know as
			// written, the first choice RFC 2047 (6.2) gives a reader; the old
			// parser guessed UTF-8.
			want: Message{Subject: "=?x-unheard-of?Q?=C3=A9t=E9?=", Text: "ok \uFFFD"},
		},
		{
			name: "utf-16 base64 body without byte-order mark",
			in:   "Subject: x\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\nSABpAAoAHgQ6BA==\n",
			want: Message{Subject: "x", Text: "Hi\nОк"},
		},
		{
			name: "adjacent encoded-words, malformed word and literal text",
			in:   "Subject: =?utf-8?q?Re:_?= =?UTF-8?Q?r=C3=A9union?= and =?utf-8?x?bad?= =?broken\n\n",
			want: Message{Subject: "Re: réunion and =?utf-8?x?bad?= =?broken"},
		},
		{
			name: "a part without Content-Type is text; attachments, an inline PDF and an image are not",
			in: "Subject: x\nContent-Type: multipart/mixed; boundary=\"=_b\"\n\n--=_b\n\ntext\n--=_b\n" +
				"Content-Type: application/octet-stream\nContent-Disposition: attachment;\n filename*0*=koi8-r''%F0%D2%CF%C5;\n filename*1*=%CB%D4;\n filename*2=.doc\n\n\n--=_b\n" +
				"Content-Type: application/pdf; name=\"=?utf-8?B?0J7RgtGH0ZHRgi5wZGY=?=\"\nContent-Disposition: inline\n\n\n--=_b\n" +
				"Content-Type: image/png; name=Programme WTDC 2017.png\n\n\n--=_b--\n",
			want: Message{Subject: "x", Text: "text"},
		},
		{
			name: "Apple Mail: attachment inside the HTML alternative",
			in: "Subject: x\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nSee the brochure.\n--a\n" +
				"Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/html\n\n<p>See the <b>brochure</b>.</p>\n--m\n" +
				"Content-Disposition: inline; filename=brochure.pdf\nContent-Type: application/pdf\n\n%PDF\n--m--\n--a--\n",
			want: Message{Subject: "x", Text: "See the brochure."},
		},
		{
			name: "empty plain alternative loses to HTML; related images are not attachments",
			in: "Subject: x\nContent-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n \n--a\n" +
				"Content-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n<div>Logo:<img src=cid:1></div><div>Hello&nbsp;world</div>\n--r\n" +
				"Content-Type: image/png; name=image001.png\nContent-ID: <1>\n\nPNG\n--r--\n--a--\n",
			want: Message{Subject: "x", Text: "Logo:\nHello world"},
		},
		{
			name: "missing closing boundary",
			in:   "Subject: x\nContent-Type: multipart/mixed; boundary=real\n\npreamble\n--real\nContent-Type: text/plain\n\nfirst\n--real\n\nsecond\n",
			want: Message{Subject: "x", Text: "first\n--\nsecond"},
		},
		{
			name: "wrong boundary parameter",
			in:   "Subject: x\nContent-Type: multipart/mixed; boundary=wrong\n\npreamble\n--real\nContent-Type: text/plain\n\nfirst\n--real\n\nsecond\n",
			// enmime keeps to the declared boundary and finds no part; the old
			// parser guessed "real" from the first line starting with "--".
			// The header is still read.
			want: Message{Subject: "x"},
		},
		{
			name: "multipart without any boundary is read as text",
			in:   "Subject: x\nContent-Type: multipart/mixed\n\njust text\n",
			want: Message{Subject: "x", Text: "just text"},
		},
		{
			name: "quoted-printable with bad escapes and trailing blanks",
			in:   "Subject: x\nContent-Transfer-Encoding: quoted-printable\n\n100% =3D =ZZ ok =\nsoft   \nend=\n",
			want: Message{Subject: "x", Text: "100% = =ZZ ok soft\nend"},
		},
		{
			name: "HTML with comments, pre, lists, tables and Outlook conditional comments",
			in: "Subject: x\nContent-Type: text/html; charset=utf-8\n\n<!DOCTYPE html><html><head><style>p{}</style></head><body>" +
				"<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><h1>Agenda</h1><ul><li>One</li><li>Two &amp; three</li></ul>" +
				"<table><tr><td>USD</td><td>1&nbsp;000</td></tr></table><pre>  a\n  b</pre><p>a &lt; b &#8212; c&eacute;</p></body></html>",
			// html2text underlines a heading, starts list items with "*" and
			// takes one blank off the start of lines in <pre>.
			want: Message{Subject: "x", Text: "******\nAgenda\n******\n\n* One\n* Two & three\n\nUSD 1 000\n\n a\n b\n\na < b — cé"},
		},
		{
			name: "HTML charset from meta element",
			in:   "Subject: x\nContent-Type: text/html\n\n<meta charset=\"windows-1256\"><p>\xe3\xd1\xcd\xc8\xc7</p>",
			want: Message{Subject: "x", Text: "مرحبا"},
		},
		{
			name: "several To fields, groups, semicolons and odd addresses",
			in: "To: Team: A <A@Example.org>, b@example.org;\nTo: 'Carla' <mailto:carla@example.org>; \"d@example.org\" <d@example.org>\n" +
				"Cc: Exchange User </O=EXCHANGELABS/OU=GROUP/CN=RECIPIENTS/CN=USER>, <>\n\n",
			want: Message{
				To: []Address{{"A", "a@example.org"}, {"", "b@example.org"}, {"Carla", "carla@example.org"}, {"", "d@example.org"}},
				Cc: []Address{{"Exchange User", ""}},
			},
		},
		{
			name: "Sender when From is missing; Message-ID without brackets",
			in:   "Sender: Office <office@example.org>\nMessage-ID:  abc@example.org \n\n",
			want: Message{From: Address{"Office", "office@example.org"}, MessageID: "abc@example.org"},
		},
		{
			name: "a line without colon continues the header field; control characters dropped",
			in:   "Subject: a\x00b\tc\nthis is not a header\nmore\n",
			// enmime reads such lines as a field folded without indentation,
			// a break it repairs; the old parser took them for the body.
			want: Message{Subject: "ab c this is not a header more"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, parseString(t, tt.in), &tt.want)
		})
	}
}

// The charsets the old hand-written decoder was tested with are all read by enmime, in a body
// and in an encoded-word.
func TestParseCharsets(t *testing.T) {
	tests := []struct{ charset, text string }{
		{"windows-1251", "Сотрудничество"},
		{"KOI8-R", "Сотрудничество"},
		{"gb2312", "合作伙伴"},
		{"GBK", "合作夥伴"},
		{"gb18030", "合作伙伴 𠀀"},
		{"big5", "合作夥伴"},
		{"iso-8859-1", "coopération"},
		{"ISO-8859-15", "coût 5 €"},
		{"windows-1252", "“coopération”"},
		{"windows-1256", "شراكة"},
		{"iso-8859-6", "شراكة"},
		{"shift_jis", "協力"},
		{"iso-2022-jp", "協力"},
		{"\"UTF-8\"", "شراكة"},
		{"utf-16be", "Ок"},
		{"utf-16le", "Ок"},
	}
	for _, tt := range tests {
		cs := strings.Trim(tt.charset, "\"")
		enc, err := htmlindex.Get(cs)
		if err != nil {
			t.Fatalf("%s: %v", tt.charset, err)
		}
		b, err := enc.NewEncoder().Bytes([]byte(tt.text))
		if err != nil {
			t.Fatalf("%s: encode: %v", tt.charset, err)
		}
		b64 := base64.StdEncoding.EncodeToString(b)
		m := parseString(t, "Subject: =?"+cs+"?B?"+b64+"?=\nContent-Type: text/plain; charset="+tt.charset+
			"\nContent-Transfer-Encoding: base64\n\n"+b64+"\n")
		if m.Text != tt.text {
			t.Errorf("%s: Text = %q, want %q", tt.charset, m.Text, tt.text)
		}
		if !strings.HasPrefix(cs, "utf-16") && m.Subject != tt.text {
			t.Errorf("%s: Subject = %q, want %q", tt.charset, m.Subject, tt.text)
		}
	}
	// UTF-16 with a byte-order mark, whatever the default order.
	m := parseString(t, "Subject: x\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n"+
		base64.StdEncoding.EncodeToString([]byte("\xff\xfeH\x00i\x00"))+"\n")
	if m.Text != "Hi" {
		t.Errorf("utf-16 with BOM = %q", m.Text)
	}
}

// A message of more parts than enmime is allowed to take apart still gives its header; one of
// multiparts nested deeper than maxMultiparts gives the text of the outer ones, quickly.
func TestParsePartLimits(t *testing.T) {
	head := "From: A <a@example.org>\nSubject: parts\nContent-Type: multipart/mixed; boundary=b\n\n"
	part := "--b\nContent-Type: text/plain\n\nx\n"
	m := parseString(t, head+strings.Repeat(part, maxParts)+"--b--\n")
	if want := strings.Repeat("x\n--\n", maxParts-1) + "x"; m.Subject != "parts" || m.Text != want {
		t.Errorf("%d parts: Subject %q, %d bytes of text, want %d", maxParts, m.Subject, len(m.Text), len(want))
	}
	headOnly := Message{From: Address{"A", "a@example.org"}, Subject: "parts"}
	checkMessage(t, parseString(t, head+strings.Repeat(part, maxParts+1)+"--b--\n"), &headOnly)

	// Levels left unclosed, each with a line of text in a part of its own before the next.
	nested := func(depth int) string {
		var b strings.Builder
		b.WriteString("From: A <a@example.org>\nSubject: parts\n")
		for i := range depth {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\nContent-Type: text/plain\n\n%d\n--b%d\n", i, i, i, i)
		}
		return b.String() + "Content-Type: text/plain\n\ndeep\n"
	}
	levels := func(n int) string {
		var s []string
		for i := range n {
			s = append(s, strconv.Itoa(i))
		}
		return strings.Join(s, "\n--\n")
	}
	want := headOnly
	want.Text = levels(maxMultiparts) + "\n--\ndeep"
	checkMessage(t, parseString(t, nested(maxMultiparts)), &want)
	want.Text = levels(maxMultiparts)
	checkMessage(t, parseString(t, nested(maxMultiparts+1)), &want)
	start := time.Now()
	checkMessage(t, parseString(t, nested(10_000)), &want)
	// enmime takes apart any part inside a multipart that declares a boundary.
	deep := nested(10_000)
	i := strings.Index(deep, "multipart/mixed") + 1
	checkMessage(t, parseString(t, deep[:i]+strings.ReplaceAll(deep[i:], "multipart/mixed", "a/b")), &want)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("10,000 levels read in %v", d)
	}
}

func TestParseDate(t *testing.T) {
	tests := map[string]string{
		"Tue, 14 Mar 2017 08:12:31 +0000":             "2017-03-14T08:12:31Z",
		"Tue, 14 Mar 2017 08:12:31 +0100 (CET)":       "2017-03-14T08:12:31+01:00",
		"14 Mar 2017 08:12:31 -0500":                  "2017-03-14T08:12:31-05:00",
		"Tue, 14 Mar 17 08:12 GMT":                    "2017-03-14T08:12:00Z",
		"Tue,  7 Mar 2017 08:12:31 +0000":             "2017-03-07T08:12:31Z",
		"Tue, 14 March 2017 08:12:31 +0300":           "2017-03-14T08:12:31+03:00",
		"Tue, 14 Mar 2017 08:12:31 GMT+03:00":         "2017-03-14T08:12:31+03:00",
		"Tue, 14 Mar 2017 08:12:31":                   "2017-03-14T08:12:31Z",
		"2017-03-14 08:12:31 +0300":                   "2017-03-14T08:12:31+03:00",
		"2017-03-14T08:12:31+03:00":                   "2017-03-14T08:12:31+03:00",
		"Tue Mar 14 08:12:31 2017":                    "2017-03-14T08:12:31Z",
		"14.03.2017 08:12":                            "2017-03-14T08:12:00Z",
		"mercredi 13 septembre 2017 14:30":            "",
		"":                                            "",
		"Tue, 14 Mar 1066 08:12:31 +0000":             "",
		"Tue, 31 Feb 2017 08:12:31 +0000":             "",
		"((((":                                        "",
		"Tue, 14 Mar 2017 08:12:31 +0000 (UTC) extra": "2017-03-14T08:12:31Z",
	}
	for in, want := range tests {
		got := parseDate(in)
		if want == "" {
			if !got.IsZero() {
				t.Errorf("parseDate(%q) = %v, want zero", in, got)
			}
			continue
		}
		if !got.Equal(date(want)) {
			t.Errorf("parseDate(%q) = %v, want %s", in, got, want)
		}
	}
}

func TestAddressesDistinct(t *testing.T) {
	m := &Message{
		From: Address{"A", "a@example.org"},
		To:   []Address{{"B", "b@example.org"}, {"A again", "a@example.org"}, {"No email", ""}},
		Cc:   []Address{{"", "c@example.org"}, {"", "b@example.org"}},
	}
	want := []string{"a@example.org", "b@example.org", "c@example.org"}
	if got := m.Addresses(); !reflect.DeepEqual(got, want) {
		t.Errorf("Addresses() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"From: a@b\n\n",
		"Subject: =?utf-8?B?w6k=?= =?gb2312?Q?=D6=D0?=\nTo: \"x\" <y@z>, (c) w@v;\n\nhi",
		"Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<p>a<script>b\n--x--",
		"Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: quoted-printable\n\n=FF=FEa=00=",
		"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n--a--",
		"Content-Type: application/x; name*0*=utf-8''%E2%82; name*1*=%AC; name*99999999999999999999=x\n\n",
		"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: a/b; boundary=b\n\n--b\nContent-Type: a/b; boundary=c\n\n--c\n" +
			"Content-Type: a/b; boundary=d\n\n--d\nContent-Type: a/b; boundary=e\n\n--e\nContent-Type: a/b; boundary=f\n\n--f\n" +
			"Content-Type: a/b; boundary=g\n\n--g\nContent-Type: a/b; boundary=h\n\n--h\nContent-Type: a/b; boundary=i\n\n--i\n" +
			"Content-Type: a/b; boundary=j\n\n--j\nContent-Type: a/b; boundary=k\n\n--k\nContent-Type: a/b; boundary=l\n\n--l\n" +
			"Content-Type: a/b; boundary=m\n\n--m\nContent-Type: a/b; boundary=n\n\n--n\nContent-Type: a/b; boundary=o\n\n--o\n" +
			"Content-Type: a/b; boundary=p\n\n--p\nContent-Type: a/b; boundary=q\n\n--q\nContent-Type: a/b; boundary=r\n\n--r\n" +
			"Content-Type: a/b; boundary=s\n\n--s\nContent-Type: a/b; boundary=t\n\n--t\nContent-Type: a/b; boundary=u\n\n--u\n" +
			"Content-Type: a/b; boundary=v\n\n--v\nContent-Type: a/b; boundary=w\n\n--w\nContent-Type: a/b; boundary=x\n\n--x\n" +
			"Content-Type: text/plain\n\nhi\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang fails too: unguarded, enmime spends minutes on a few KB of
		// nested parts left unclosed (see maxMultiparts).
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("Parse has run for 10 s on %q", data))
			}
		}()
		m, err := Parse(bytes.NewReader(data))
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned both a message and %v", err)
			}
			return
		}
		if len(m.Text) > MaxText {
			t.Fatalf("len(Text) = %d > %d", len(m.Text), MaxText)
		}
		strs := []string{m.Subject, m.Text, m.MessageID, m.From.Name, m.From.Email}
		for _, a := range append(append([]Address(nil), m.To...), m.Cc...) {
			strs = append(strs, a.Name, a.Email)
		}
		strs = append(strs, m.Addresses()...)
		for _, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
	})
}
