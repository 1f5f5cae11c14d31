package importer

import (
	"fmt"
	"testing"
)

func TestRefTable(t *testing.T) {
	table := newRefTable()
	if _, ok := table.get("ITU-1"); ok {
		t.Fatal("an empty table has ITU-1")
	}
	const n = 50_000 // enough to grow the slots several times
	for i := range n {
		if _, taken := table.add(fmt.Sprintf("ITU-%d", i), uint32(i)); taken {
			t.Fatalf("ITU-%d taken before it was added", i)
		}
	}
	for i := range n {
		ref := fmt.Sprintf("ITU-%d", i)
		if v, ok := table.get(ref); !ok || v != uint32(i) {
			t.Fatalf("%s: %d %v, want %d", ref, v, ok, i)
		}
		if first, taken := table.add(ref, 7); !taken || first != uint32(i) {
			t.Fatalf("%s added again: %d %v, want taken with %d", ref, first, taken, i)
		}
	}
	for _, ref := range []string{"ITU-", "ITU-50000", "itu-1", "ITU-1 ", "", "TU-1"} {
		if v, ok := table.get(ref); ok {
			t.Errorf("%q found with %d", ref, v)
		}
	}
	if _, taken := table.add("", 3); taken {
		t.Error("the empty reference taken")
	}
	if v, ok := table.get(""); !ok || v != 3 {
		t.Errorf("the empty reference: %d %v", v, ok)
	}
}
