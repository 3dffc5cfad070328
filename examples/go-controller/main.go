// A reconcile-like loop over an in-memory desired state: each pass renders the manifests for
// every rollout through libwasmdeploy_c, compares them with what was "applied" last time
// (by digest), and reports what a controller would apply. Standard library only.
package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// FilterSpec is the part of a rollout that says what to deploy.
type FilterSpec struct {
	Name, Module, Sha256, RootID, ConfigJSON string
	// ModuleSha256 is the hash of the .wasm layer: Istio < 1.12 gets oci:// modules through
	// the wasme node cache, which names files by it.
	ModuleSha256 string
}

// Rollout is one desired deployment: a filter on the pods labelled app=App in Namespaces.
type Rollout struct {
	Key        string
	Istio      string
	App        string
	Namespaces []string
	Filter     FilterSpec
}

// generations is how the desired state changes over time, as watch events would change it.
func generations() [][]Rollout {
	base := FilterSpec{
		Name: "add-header", Module: "oci://ghcr.io/acme/add-header:v1.0.0",
		Sha256:       strings.Repeat("ab", 32),
		ModuleSha256: strings.Repeat("cd", 32),
		RootID:       "add_header",
		ConfigJSON:   `{"header":"x-team","value":"payments"}`,
	}
	bumped := base
	bumped.ConfigJSON = `{"header":"x-team","value":"payments-v2"}`
	return [][]Rollout{
		{{Key: "payments", Istio: "1.12", App: "api", Namespaces: []string{"payments"}, Filter: base}},
		// (before 1.12 a module comes from the wasme node cache, which a bare app=... selector
		// cannot mount: wasmdeploy refuses it, delivery.unmounted, so "legacy" is on 1.12 too)
		{ // a second namespace joins; an unrelated rollout appears
			{Key: "payments", Istio: "1.12", App: "api", Namespaces: []string{"payments", "payments-eu"}, Filter: base},
			{Key: "legacy", Istio: "1.12", App: "web", Namespaces: []string{"legacy"}, Filter: base},
		},
		{ // nothing changes for legacy; payments gets new config and a mesh upgrade
			{Key: "payments", Istio: "1.24", App: "api", Namespaces: []string{"payments", "payments-eu"}, Filter: bumped},
			{Key: "legacy", Istio: "1.12", App: "web", Namespaces: []string{"legacy"}, Filter: base},
		},
	}
}

type result struct {
	key    string
	digest [32]byte
	docs   int
	err    error
}

// renderAll renders every rollout concurrently: each goroutine owns its own spec handle.
func renderAll(rollouts []Rollout) []result {
	out := make([]result, len(rollouts))
	var wg sync.WaitGroup
	for i, r := range rollouts {
		wg.Add(1)
		go func(i int, r Rollout) {
			defer wg.Done()
			out[i].key = r.Key
			spec, err := NewSpec(r)
			if err != nil {
				out[i].err = err
				return
			}
			defer spec.Free()
			yaml, docs, err := spec.Render(r.Istio)
			if err != nil {
				out[i].err = err
				return
			}
			out[i].digest = sha256.Sum256(yaml)
			out[i].docs = docs
		}(i, r)
	}
	wg.Wait()
	return out
}

func main() {
	fmt.Printf("libwasmdeploy_c %s\n", Version())
	applied := map[string][32]byte{}
	changes := 0
	for gen, rollouts := range generations() {
		results := renderAll(rollouts)
		sort.Slice(results, func(a, b int) bool { return results[a].key < results[b].key })
		for _, r := range results {
			if r.err != nil {
				fmt.Fprintf(os.Stderr, "generation %d: %s: %v\n", gen, r.key, r.err)
				os.Exit(1)
			}
			action := "unchanged"
			if prev, ok := applied[r.key]; !ok || prev != r.digest {
				action = "apply"
				changes++
			}
			applied[r.key] = r.digest
			fmt.Printf("generation %d: %-8s %-9s %d document(s) sha256:%x\n", gen, r.key, action, r.docs, r.digest[:6])
		}
	}

	// Errors carry the C API's stable id and field path.
	bad := generations()[0][0]
	bad.Filter.Module = "localhost:5000/add-header:v1"
	if _, err := NewSpec(bad); err == nil {
		fmt.Fprintln(os.Stderr, "expected an error for a scheme-less module")
		os.Exit(1)
	} else {
		var e *Error
		if !errors.As(err, &e) || e.ID != "module.no-scheme" {
			fmt.Fprintf(os.Stderr, "unexpected error: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("refused: [%s] %s\n", e.ID, e.Path)
	}

	if ok, err := Supports("1.12", "wasm-plugin"); err != nil || !ok {
		fmt.Fprintln(os.Stderr, "capability query failed")
		os.Exit(1)
	}
	// gen0: payments; gen1: payments (new namespace) + legacy; gen2: payments only.
	if changes != 4 {
		fmt.Fprintf(os.Stderr, "expected 4 applies, got %d\n", changes)
		os.Exit(1)
	}
	fmt.Println("reconcile: ok")
}
