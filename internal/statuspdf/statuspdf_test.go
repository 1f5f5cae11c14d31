package statuspdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
	"golang.org/x/text/unicode/norm"
)

// texts are the sample report in one language, as the web layer would translate it.
type texts struct {
	title, subtitle, footer       string
	newAgreements, amendments     string
	value, million                string // total value label; "%s million" style suffix applied by the caller
	yearsTitle, yearsSentence     string
	regionsTitle, regionsSentence string
	regions                       [6]string
	areasTitle, areasSentence     string
	areas                         [6]string
}

var samples = map[string]texts{
	"en": {
		title: "Status analysis 2014–2017", subtitle: "Partnerships Unit · Generated on 28 November 2026",
		footer: "Pactum — 28 November 2026", newAgreements: "New agreements", amendments: "Amendments",
		value: "Value (USD)", million: "%s million",
		yearsTitle:      "Agreements signed per year",
		yearsSentence:   "New agreements rose every year, from 41 in 2014 to 56 in 2017, while amendments stayed between 6 and 12 a year.",
		regionsTitle:    "Value by region (USD million)",
		regionsSentence: "Africa received the largest share of the value, USD 10.1 million, followed by Asia and the Pacific with USD 8.9 million.",
		regions:         [6]string{"Africa", "Americas", "Arab States", "Asia and the Pacific", "Commonwealth of Independent States", "Europe"},
		areasTitle:      "Agreements by action area",
		areasSentence:   "Digital inclusion was the most frequent action area, with 58 new agreements.",
		areas:           [6]string{"Digital inclusion", "Capacity building", "Cybersecurity", "Emergency telecommunications", "Spectrum management and broadcasting", "Policy and regulation"},
	},
	"es": {
		title: "Análisis de situación 2014–2017", subtitle: "Unidad de Asociaciones · Generado el 28 de noviembre de 2026",
		footer: "Pactum — 28 de noviembre de 2026", newAgreements: "Acuerdos nuevos", amendments: "Enmiendas",
		value: "Valor (USD)", million: "%s millones",
		yearsTitle:      "Acuerdos firmados por año",
		yearsSentence:   "Los acuerdos nuevos aumentaron cada año, de 41 en 2014 a 56 en 2017, mientras que las enmiendas se mantuvieron entre 6 y 12 al año.",
		regionsTitle:    "Valor por región (millones de USD)",
		regionsSentence: "África recibió la mayor parte del valor, 10,1 millones de USD, seguida de Asia y el Pacífico con 8,9 millones de USD.",
		regions:         [6]string{"África", "Américas", "Estados Árabes", "Asia y el Pacífico", "Comunidad de Estados Independientes", "Europa"},
		areasTitle:      "Acuerdos por ámbito de acción",
		areasSentence:   "La inclusión digital fue el ámbito de acción más frecuente, con 58 acuerdos nuevos.",
		areas:           [6]string{"Inclusión digital", "Desarrollo de capacidades", "Ciberseguridad", "Telecomunicaciones de emergencia", "Gestión del espectro y radiodifusión", "Política y reglamentación"},
	},
	"fr": {
		title: "Analyse de la situation 2014–2017", subtitle: "Unité des partenariats · Généré le 28 novembre 2026",
		footer: "Pactum — 28 novembre 2026", newAgreements: "Nouveaux accords", amendments: "Avenants",
		value: "Valeur (USD)", million: "%s millions",
		yearsTitle:      "Accords signés par année",
		yearsSentence:   "Les nouveaux accords ont augmenté chaque année, de 41 en 2014 à 56 en 2017, tandis que les avenants sont restés entre 6 et 12 par an.",
		regionsTitle:    "Valeur par région (millions USD)",
		regionsSentence: "L’Afrique a reçu la plus grande part de la valeur, 10,1 millions USD, suivie de l’Asie-Pacifique avec 8,9 millions USD.",
		regions:         [6]string{"Afrique", "Amériques", "États arabes", "Asie-Pacifique", "Communauté des États indépendants", "Europe"},
		areasTitle:      "Accords par domaine d’action",
		areasSentence:   "L’inclusion numérique a été le domaine d’action le plus fréquent, avec 58 nouveaux accords.",
		areas:           [6]string{"Inclusion numérique", "Renforcement des capacités", "Cybersécurité", "Télécommunications d’urgence", "Gestion du spectre et radiodiffusion", "Politiques et réglementation"},
	},
	"ru": {
		title: "Анализ состояния за 2014–2017 годы", subtitle: "Отдел партнёрств · Создано 28 ноября 2026 г.",
		footer: "Pactum — 28 ноября 2026 г.", newAgreements: "Новые соглашения", amendments: "Поправки",
		value: "Стоимость (долл. США)", million: "%s млн",
		yearsTitle:      "Соглашения, подписанные по годам",
		yearsSentence:   "Число новых соглашений росло каждый год — с 41 в 2014 году до 56 в 2017 году, а поправок было от 6 до 12 в год.",
		regionsTitle:    "Стоимость по регионам (млн долл. США)",
		regionsSentence: "Наибольшая доля стоимости пришлась на Африку — 10,1 млн долл. США, за ней следует Азиатско-Тихоокеанский регион с 8,9 млн долл. США.",
		regions:         [6]string{"Африка", "Северная и Южная Америка", "Арабские государства", "Азиатско-Тихоокеанский регион", "Содружество Независимых Государств", "Европа"},
		areasTitle:      "Соглашения по направлениям деятельности",
		areasSentence:   "Чаще всего встречалась цифровая интеграция — 58 новых соглашений.",
		areas:           [6]string{"Цифровая интеграция", "Развитие потенциала", "Кибербезопасность", "Электросвязь в чрезвычайных ситуациях", "Управление использованием спектра и радиовещание", "Политика и регулирование"},
	},
	"zh": {
		title: "2014–2017年状况分析", subtitle: "伙伴关系股 · 生成于2026年11月28日",
		footer: "Pactum — 2026年11月28日", newAgreements: "新协议", amendments: "修正",
		value: "金额（美元）", million: "%s百万",
		yearsTitle:      "每年签署的协议",
		yearsSentence:   "新协议逐年增加，从2014年的41项增至2017年的56项，而修正每年保持在6至12项之间。",
		regionsTitle:    "按区域划分的金额（百万美元）",
		regionsSentence: "非洲获得的金额最多，为1010万美元，其次是亚太地区，为890万美元。",
		regions:         [6]string{"非洲", "美洲", "阿拉伯国家", "亚太", "独联体", "欧洲"},
		areasTitle:      "按行动领域划分的协议",
		areasSentence:   "数字包容是最常见的行动领域，共有58项新协议。",
		areas:           [6]string{"数字包容", "能力建设", "网络安全", "应急通信", "频谱管理和广播", "政策与监管"},
	},
	"ar": {
		title: "تحليل الحالة ٢٠١٤–٢٠١٧", subtitle: "وحدة الشراكات · أُنشئ في ٢٨ نوفمبر ٢٠٢٦",
		footer: "Pactum — ٢٨ نوفمبر ٢٠٢٦", newAgreements: "الاتفاقات الجديدة", amendments: "التعديلات",
		value: "القيمة (بالدولار الأمريكي)", million: "%s مليون",
		yearsTitle:      "الاتفاقات الموقعة في كل سنة",
		yearsSentence:   "ازدادت الاتفاقات الجديدة كل سنة، من ٤١ في عام ٢٠١٤ إلى ٥٦ في عام ٢٠١٧، في حين بقيت التعديلات بين ٦ و١٢ في السنة.",
		regionsTitle:    "القيمة حسب المنطقة (بملايين الدولارات الأمريكية)",
		regionsSentence: "حصلت أفريقيا على أكبر حصة من القيمة، ١٠٫١ مليون دولار، تليها آسيا والمحيط الهادئ بمبلغ ٨٫٩ مليون دولار.",
		regions:         [6]string{"أفريقيا", "الأمريكتان", "الدول العربية", "آسيا والمحيط الهادئ", "كومنولث الدول المستقلة", "أوروبا"},
		areasTitle:      "الاتفاقات حسب مجال العمل",
		areasSentence:   "كان الشمول الرقمي أكثر مجالات العمل تكراراً، إذ شمل ٥٨ اتفاقاً جديداً.",
		areas:           [6]string{"الشمول الرقمي", "بناء القدرات", "الأمن السيبراني", "الاتصالات في حالات الطوارئ", "إدارة الطيف والإذاعة", "السياسات واللوائح"},
	},
}

var langs = []string{"ar", "en", "es", "fr", "ru", "zh"}

// sampleDocument is the 2014–2017 analysis in one language, numbers written by
// golang.org/x/text as the web layer writes them.
func sampleDocument(lang string) Document {
	tx := samples[lang]
	p := message.NewPrinter(language.MustParse(lang))
	num := func(v float64, frac int) string {
		return p.Sprint(number.Decimal(v, number.MaxFractionDigits(frac), number.MinFractionDigits(frac)))
	}
	years := Chart{Title: tx.yearsTitle, Sentence: tx.yearsSentence, Series: []string{tx.newAgreements, tx.amendments}}
	for i, v := range [][2]float64{{41, 6}, {48, 9}, {52, 8}, {56, 12}} {
		years.Bars = append(years.Bars, Bar{
			Label:  p.Sprint(number.Decimal(2014+i, number.NoSeparator())),
			Values: v[:], Texts: []string{num(v[0], 0), num(v[1], 0)},
		})
	}
	regions := Chart{Title: tx.regionsTitle, Sentence: tx.regionsSentence, Series: []string{tx.value}, Horizontal: true}
	for i, v := range []float64{10.1, 5.4, 4.8, 8.9, 2.6, 4.8} {
		regions.Bars = append(regions.Bars, Bar{Label: tx.regions[i], Values: []float64{v}, Texts: []string{num(v, 1)}})
	}
	areas := Chart{Title: tx.areasTitle, Sentence: tx.areasSentence, Series: []string{tx.newAgreements, tx.amendments}, Horizontal: true}
	for i, v := range [][2]float64{{58, 9}, {44, 8}, {31, 6}, {27, 5}, {22, 4}, {15, 3}} {
		areas.Bars = append(areas.Bars, Bar{Label: tx.areas[i], Values: v[:], Texts: []string{num(v[0], 0), num(v[1], 0)}})
	}
	return Document{
		Lang: lang, Title: tx.title, Subtitle: tx.subtitle, Footer: tx.footer,
		Totals: []Figure{
			{tx.newAgreements, num(197, 0)},
			{tx.amendments, num(35, 0)},
			{tx.value, strings.Replace(tx.million, "%s", num(36.6, 1), 1)},
		},
		Charts: []Chart{years, regions, areas},
	}
}

func render(t testing.TB, d Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatalf("Write(%s): %v", d.Lang, err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("Write(%s) does not start with %%PDF-: %q", d.Lang, buf.Bytes()[:min(buf.Len(), 16)])
	}
	// PACTUM_STATUSPDF_DIR keeps the rendered reports for review by eye.
	if dir := os.Getenv("PACTUM_STATUSPDF_DIR"); dir != "" {
		name := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf")
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// poppler finds a Poppler tool (poppler-utils). Without it the checks of the text a reader
// would copy are skipped, except in CI (PACTUM_BROWSER_TESTS=1), where it must be installed.
func poppler(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		msg := tool + " is not installed (Debian package poppler-utils)"
		if os.Getenv("PACTUM_BROWSER_TESTS") == "1" {
			t.Fatal("PACTUM_BROWSER_TESTS=1 but " + msg)
		}
		t.Skip(msg)
	}
	return path
}

// runPoppler writes pdf to a file and runs a Poppler tool on it with args before the file
// name; pdftotext writes its text to standard output.
func runPoppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	path := poppler(t, tool)
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, file)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}

var (
	spaces       = regexp.MustCompile(`\s+`)
	bidiControls = regexp.MustCompile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
)

// extracted is the text pdftotext finds, in a form to search. For Arabic, pdftotext gives the
// words in reading order, wrapped in bidi controls, in the presentation forms of the shaped
// glyphs (which NFKC folds back to letters); it also reverses runs of digits, so tests look
// for Arabic words, not numbers. Lines are joined with single spaces.
func extracted(t *testing.T, pdf []byte) string {
	t.Helper()
	s := norm.NFKC.String(runPoppler(t, "pdftotext", pdf, "-enc", "UTF-8"))
	s = bidiControls.ReplaceAllString(s, "")
	return spaces.ReplaceAllString(s, " ")
}

func pages(t *testing.T, pdf []byte) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(runPoppler(t, "pdfinfo", pdf))
	if m == nil {
		t.Fatal("pdfinfo printed no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestWriteLanguages(t *testing.T) {
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			tx := samples[lang]
			want := []string{tx.title, tx.newAgreements, tx.areas[3], tx.areasSentence, tx.footer}
			if lang == "ar" {
				want = []string{"تحليل الحالة", tx.newAgreements, tx.areas[3], "آسيا والمحيط الهادئ بمبلغ", "نوفمبر"}
			}
			got := extracted(t, render(t, sampleDocument(lang)))
			for _, w := range want {
				if w = norm.NFKC.String(w); !strings.Contains(got, w) {
					t.Errorf("the %s text does not contain %q:\n%s", lang, w, got)
				}
			}
		})
	}
}

// TestArabicWordOrder checks that Arabic words come out in reading order: pdftotext reads the
// line right to left, so words drawn left to right in logical order would come out reversed.
func TestArabicWordOrder(t *testing.T) {
	got := extracted(t, render(t, sampleDocument("ar")))
	for _, want := range []string{"الاتفاقات الجديدة", "آسيا والمحيط الهادئ", "كومنولث الدول المستقلة"} {
		if !strings.Contains(got, want) {
			t.Errorf("text does not contain %q in reading order:\n%s", want, got)
		}
	}
}

// TestLongDocument has more charts than a page holds, a horizontal chart longer than a page,
// and names in other scripts than the document's (which must take their glyphs from another
// font rather than show empty boxes).
func TestLongDocument(t *testing.T) {
	d := sampleDocument("en")
	d.Charts = append(d.Charts, d.Charts...)
	long := Chart{Title: "Agreements by partner", Sentence: "Forty partners, one row each.", Series: []string{"New agreements"}, Horizontal: true}
	for i := 0; i < 40; i++ {
		label := "Partner " + strconv.Itoa(i+1)
		switch i {
		case 3:
			label = "中国信息通信研究院"
		case 5:
			label = "هيئة تنظيم الاتصالات"
		}
		long.Bars = append(long.Bars, Bar{Label: label, Values: []float64{float64(40 - i)}, Texts: []string{strconv.Itoa(40 - i)}})
	}
	d.Charts = append(d.Charts, long)
	pdf := render(t, d)
	n := pages(t, pdf)
	if n < 2 {
		t.Fatalf("long document has %d page, want several", n)
	}
	got := extracted(t, pdf)
	for _, want := range []string{"中国信息通信研究院", "هيئة تنظيم الاتصالات", "Partner 40"} {
		if !strings.Contains(got, want) {
			t.Errorf("text does not contain %q", want)
		}
	}
	// Page numbers: pdftotext drops the spaces around the slash.
	for _, page := range []int{1, n} {
		if want := fmt.Sprintf("%d ?/ ?%d", page, n); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("text has no page number %q", want)
		}
	}
}

func TestTooManySeries(t *testing.T) {
	d := Document{Lang: "en", Title: "x", Charts: []Chart{{Title: "Three", Bars: []Bar{{Label: "a", Values: []float64{1, 2, 3}}}}}}
	if err := Write(&bytes.Buffer{}, d); err == nil {
		t.Fatal("a chart of three series was accepted")
	}
}

// TestEdgeCases draws what the web layer could send on a quiet year: no figures, empty and
// zero charts, values that are not numbers, texts shorter than the series.
func TestEdgeCases(t *testing.T) {
	render(t, Document{Lang: "fr"})
	render(t, Document{Lang: "ar", Title: "فارغ", Charts: []Chart{
		{Title: "لا شيء"},
		{Title: "أصفار", Series: []string{"أ", "ب"}, Bars: []Bar{{Label: "٢٠١٤", Values: []float64{0, 0}}}},
		{Title: "أعمدة", Horizontal: true, Bars: []Bar{{Label: "x", Values: []float64{-1}}, {Label: "y"}}},
	}})
}

// TestConcurrentWrite renders several languages at once: the fonts are shared by every
// document (run with -race).
func TestConcurrentWrite(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, len(langs))
	for _, lang := range langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			if err := Write(&buf, sampleDocument(lang)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	if err := Write(failingWriter{}, sampleDocument("en")); err == nil {
		t.Fatal("a failing writer gave no error")
	}
}

// BenchmarkWrite renders the sample report in each of the six languages.
func BenchmarkWrite(b *testing.B) {
	for _, lang := range langs {
		d := sampleDocument(lang)
		b.Run(lang, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Write(&buf, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len())/1024, "KiB/doc")
		})
	}
}

// TestWrappedParagraphs wraps long sentences and labels over several lines: the words must come
// out in reading order from line to line, right to left in Arabic, and Chinese must break
// between characters.
func TestWrappedParagraphs(t *testing.T) {
	for _, lang := range []string{"ar", "ru", "zh"} {
		t.Run(lang, func(t *testing.T) {
			tx := samples[lang]
			sentence := strings.Repeat(tx.areasSentence+" ", 4)
			d := Document{Lang: lang, Title: tx.title, Footer: tx.footer, Charts: []Chart{{
				Title: tx.areasTitle, Sentence: sentence, Horizontal: true,
				Bars: []Bar{{Label: strings.Join(tx.areas[:], " "), Values: []float64{58}, Texts: []string{"58"}}},
			}}}
			got := strings.Join(strings.Fields(extracted(t, render(t, d))), "")
			want := norm.NFKC.String(strings.Join(strings.Fields(sentence), ""))
			if !strings.Contains(got, want) {
				t.Errorf("the wrapped sentence is not in reading order:\n got %s\nwant %s", got, want)
			}
		})
	}
}
