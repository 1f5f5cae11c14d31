package importer

import "hash/maphash"

// refTable holds the references of an agreement file, each with a number, for the checks that
// need the whole file (a reference twice, an amendment of a row further down). It is a hash table
// of indexes into one byte arena: a million references of about twenty characters take some
// 40 MB, where a map[string]uint32 takes 75 MB and twice that while it grows.
type refTable struct {
	seed   maphash.Seed
	arena  []byte   // the references, end to end
	ends   []uint32 // where each reference ends in arena
	values []uint32
	slots  []uint32 // 1 + the index of a reference, 0 when free; a power of two, at most half full
}

func newRefTable() *refTable { return &refTable{seed: maphash.MakeSeed(), slots: make([]uint32, 1024)} }

func (t *refTable) key(i uint32) []byte {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.arena[start:t.ends[i]]
}

// find returns the slot of ref: the one that holds it, or the free one where it would go.
func (t *refTable) find(ref string) (slot uint64, found bool) {
	mask := uint64(len(t.slots) - 1)
	for slot = maphash.String(t.seed, ref) & mask; ; slot = (slot + 1) & mask {
		s := t.slots[slot]
		if s == 0 {
			return slot, false
		}
		if string(t.key(s-1)) == ref {
			return slot, true
		}
	}
}

// get returns the number of ref, if the table has it.
func (t *refTable) get(ref string) (uint32, bool) {
	slot, found := t.find(ref)
	if !found {
		return 0, false
	}
	return t.values[t.slots[slot]-1], true
}

// add gives ref its number unless the table has it already; then it returns the number it has.
func (t *refTable) add(ref string, value uint32) (first uint32, taken bool) {
	slot, found := t.find(ref)
	if found {
		return t.values[t.slots[slot]-1], true
	}
	t.arena = append(t.arena, ref...)
	t.ends = append(t.ends, uint32(len(t.arena)))
	t.values = append(t.values, value)
	t.slots[slot] = uint32(len(t.ends))
	if 2*len(t.ends) > len(t.slots) {
		t.grow()
	}
	return 0, false
}

// grow doubles the slots and puts every reference back.
func (t *refTable) grow() {
	t.slots = make([]uint32, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for i := range t.ends {
		slot := maphash.Bytes(t.seed, t.key(uint32(i))) & mask
		for t.slots[slot] != 0 {
			slot = (slot + 1) & mask
		}
		t.slots[slot] = uint32(i) + 1
	}
}
