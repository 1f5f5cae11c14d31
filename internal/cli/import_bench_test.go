package cli_test

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkImportAgreements imports a generated agreement file into an SQLite database that has
// its partners: PACTUM_BENCH_ROWS rows (20,000 unless set), about one in eight an amendment of an
// earlier row. It reports rows per second and the peak of the Go heap; the peak resident memory
// of the whole process is reported too (it includes the generation of the file). With
// PACTUM_BENCH_DIR the file and the database are kept there, to measure the command itself:
//
//	PACTUM_BENCH_ROWS=1000000 PACTUM_BENCH_DIR=/tmp/bench go test ./internal/cli/ -run XXX -bench ImportAgreements -benchtime 1x
//	/usr/bin/time -v pactum import agreements /tmp/bench/agreements.csv --data /tmp/bench/again
func BenchmarkImportAgreements(b *testing.B) {
	rows := 20_000
	if v := os.Getenv("PACTUM_BENCH_ROWS"); v != "" {
		var err error
		if rows, err = strconv.Atoi(v); err != nil {
			b.Fatalf("PACTUM_BENCH_ROWS=%q: %v", v, err)
		}
	}
	dir := os.Getenv("PACTUM_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	partners := writeBenchPartners(b, dir, 2_000)
	file := filepath.Join(dir, "agreements.csv")
	if err := writeBenchAgreements(file, rows, partners); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		data := filepath.Join(dir, fmt.Sprintf("data-%d", i))
		if code, stdout, stderr := runPactum(b, data, "import", "partners", filepath.Join(dir, "partners.csv")); code != 0 {
			b.Fatalf("import partners: %s%s", stdout, stderr)
		}
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		code, stdout, stderr := runPactum(b, data, "import", "agreements", file)
		elapsed := time.Since(start)
		close(stop)
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d created", rows)) {
			b.Fatalf("import agreements: exit %d\n%s%s", code, stdout, stderr)
		}
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(peakRSS())/(1<<10), "peak-RSS-MB")
	}
}

// writeBenchPartners writes a partner file of n partners and returns their keys.
func writeBenchPartners(b *testing.B, dir string, n int) []string {
	types := []string{"government", "foundation", "private", "development_bank", "un_agency", "academia"}
	var sb strings.Builder
	sb.WriteString("key,name,type,membership,status\n")
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("partner-%05d", i)
		fmt.Fprintf(&sb, "%s,Partner %d for digital development,%s,none,active\n", keys[i], i, types[i%len(types)])
	}
	writeFile(b, dir, "partners.csv", sb.String())
	return keys
}

// writeBenchAgreements writes an agreement file of n rows naming partners, with the columns of
// the format and French titles.
func writeBenchAgreements(path string, n int, partners []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(buf)
	w.Write([]string{"reference", "title", "title_fr", "type", "partners", "signed_on", "start_on", "end_on", "status", "amount",
		"currency", "regions", "countries", "action_area", "amends", "notes"})
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("broadband rural schools connectivity digital skills cybersecurity emergency telecommunications " +
		"spectrum policy regulation women youth innovation centres satellite network resilience statistics indicators")
	types := []string{"mou", "cooperation", "voluntary_contribution", "sponsorship", "letter_of_intent", "project_document"}
	currencies := []string{"USD", "USD", "USD", "EUR", "CHF", "JPY", "GBP", "SEK"}
	regions := []string{"AFR", "AMS", "ARB", "ASP", "CIS", "EUR", "GLO"}
	countries := []string{"SN", "KE", "BR", "IN", "EG", "KZ", "DE", "FJ", "PE", "ML", "VN", "JO"}
	areas := []string{"capacity_building", "ict_applications", "generic", "infrastructure", "cybersecurity", "digital_inclusion"}
	var recent []string
	for i := range n {
		year := 2006 + i%20
		signed := time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		title := make([]string, 6)
		for j := range title {
			title[j] = words[rng.IntN(len(words))]
		}
		typ, amends, ref := types[rng.IntN(len(types))], "", fmt.Sprintf("BENCH-%d-%07d", year, i)
		if len(recent) > 0 && rng.IntN(8) == 0 {
			typ, amends = "amendment", recent[rng.IntN(len(recent))]
			ref = fmt.Sprintf("%s-A%d", amends, i)
		} else {
			if len(recent) == 1000 {
				recent = recent[1:]
			}
			recent = append(recent, ref)
		}
		first := rng.IntN(len(partners))
		parties := partners[first]
		if rng.IntN(4) == 0 {
			parties += ";" + partners[(first+1+rng.IntN(len(partners)-1))%len(partners)] + ":implementing_partner"
		}
		region := regions[rng.IntN(len(regions))]
		if rng.IntN(3) == 0 {
			region += ";" + regions[rng.IntN(len(regions))]
		}
		var cs []string
		for range rng.IntN(3) {
			cs = append(cs, countries[rng.IntN(len(countries))])
		}
		notes := ""
		if rng.IntN(5) == 0 {
			notes = "Signed at the regional development forum."
		}
		w.Write([]string{ref, strings.Join(title, " "), "Accord " + title[0] + " " + title[1], typ, parties,
			signed.Format("2006-01-02"), signed.AddDate(0, 1, 0).Format("2006-01-02"), signed.AddDate(3, 0, 0).Format("2006-01-02"),
			"signed", strconv.Itoa(10_000 + rng.IntN(900_000)), currencies[rng.IntN(len(currencies))], region,
			strings.Join(cs, ";"), areas[rng.IntN(len(areas))], amends, notes})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return buf.Flush()
}

// peakRSS returns the peak resident memory of the process in kilobytes (VmHWM), or 0 where
// /proc does not say.
func peakRSS() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}
