package jobs_test

import (
	"os"
	"testing"

	"pactum/internal/store/storetest"
)

// TestMain drops the template databases the tests copy theirs from (storetest.Main).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
