package kube

import (
	"encoding/json"
	"sort"
)

// Originals are the pod-template annotation values a workload had before an owner changed
// them; nil means the key was absent.
type Originals map[string]*string

// OriginalsFor decides what to record for keys an owner is about to set: a record the owner
// already made wins (a second apply must not record the owner's own values, wasme's backup
// bug), otherwise the current values.
func OriginalsFor(keys []string, recorded string, current map[string]string) Originals {
	out := Originals{}
	var prev Originals
	if recorded != "" && json.Unmarshal([]byte(recorded), &prev) == nil {
		for k, v := range prev {
			out[k] = v
		}
	}
	for _, k := range keys {
		if _, ok := out[k]; ok {
			continue
		}
		if v, ok := current[k]; ok {
			v := v
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

// Encode is the annotation value (keys sorted by encoding/json).
func (o Originals) Encode() string {
	b, _ := json.Marshal(o)
	return string(b)
}

// Present are the keys that had a value, for the restoring merge patch.
func (o Originals) Present() map[string]string {
	out := map[string]string{}
	for k, v := range o {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// SortedKeys of a map, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
