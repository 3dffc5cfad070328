package main

// A thin cgo wrapper over libwasmdeploy_c. Point cgo at the library with
//   CGO_CFLAGS="-I<prefix>/include" CGO_LDFLAGS="-L<prefix>/lib -Wl,-rpath,<prefix>/lib"

/*
#cgo LDFLAGS: -lwasmdeploy_c
#include <stdlib.h>
#include <wasmdeploy/wasmdeploy.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Error is a failure reported by the C API.
type Error struct {
	Code    int    // a wd_status (negative)
	ID      string // stable dotted id, e.g. "spec.unknown-field"
	Path    string // field path, e.g. "filters[0].sha256"
	Message string
}

func (e *Error) Error() string { return e.Message }

// call runs one C API call and, on failure, reads the thread-local last error. The goroutine is
// locked to its OS thread for both steps: otherwise the scheduler could move it between the
// call and wd_error_last(), which would then describe another thread's state.
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := f(); rc != C.WD_OK {
		e := C.wd_error_last()
		return &Error{Code: int(rc), ID: C.GoString(e.id), Path: C.GoString(e.path), Message: C.GoString(e.message)}
	}
	return nil
}

// cstrings keeps C copies of Go strings alive until free is called.
type cstrings []*C.char

func (c *cstrings) of(s string) *C.char {
	p := C.CString(s)
	*c = append(*c, p)
	return p
}

func (c *cstrings) free() {
	for _, p := range *c {
		C.free(unsafe.Pointer(p))
	}
}

// Spec owns a wd_spec handle.
type Spec struct{ h *C.wd_spec }

// NewSpec builds a spec from an in-memory rollout description.
func NewSpec(r Rollout) (*Spec, error) {
	var cs cstrings
	defer cs.free()
	s := &Spec{}
	if err := call(func() C.int { return C.wd_spec_new(&s.h) }); err != nil {
		return nil, err
	}
	var fi, ti C.size_t
	steps := []func() C.int{
		func() C.int { return C.wd_spec_add_filter(&fi, s.h, cs.of(r.Filter.Name), cs.of(r.Filter.Module)) },
		func() C.int { return C.wd_spec_filter_set(s.h, fi, cs.of("sha256"), cs.of(r.Filter.Sha256)) },
		func() C.int {
			return C.wd_spec_filter_set(s.h, fi, cs.of("moduleSha256"), cs.of(r.Filter.ModuleSha256))
		},
		func() C.int { return C.wd_spec_filter_set(s.h, fi, cs.of("rootId"), cs.of(r.Filter.RootID)) },
		func() C.int {
			return C.wd_spec_filter_set_config_json(s.h, fi, cs.of(r.Filter.ConfigJSON), C.size_t(len(r.Filter.ConfigJSON)))
		},
	}
	for _, ns := range r.Namespaces {
		ns := ns
		steps = append(steps,
			func() C.int { return C.wd_spec_add_target(&ti, s.h, cs.of(ns)) },
			func() C.int { return C.wd_spec_target_add_selector(s.h, ti, cs.of("app"), cs.of(r.App)) })
	}
	for _, step := range steps {
		if err := call(step); err != nil {
			s.Free()
			return nil, err
		}
	}
	return s, nil
}

// Free releases the handle; safe to call twice.
func (s *Spec) Free() {
	C.wd_spec_free(s.h)
	s.h = nil
}

// Render returns the manifests as YAML for an Istio version, and how many documents they hold.
func (s *Spec) Render(istio string) ([]byte, int, error) {
	var cs cstrings
	defer cs.free()
	var opts *C.wd_render_options
	var res *C.wd_render_result
	var buf C.wd_buf
	defer func() {
		C.wd_buf_dispose(&buf)
		C.wd_render_result_free(res)
		C.wd_render_options_free(opts)
	}()
	steps := []func() C.int{
		func() C.int { return C.wd_render_options_new(&opts) },
		func() C.int { return C.wd_render_options_set_istio(opts, cs.of(istio)) },
		func() C.int { return C.wd_render(&res, s.h, opts) },
		func() C.int { return C.wd_render_result_text(&buf, res, C.WD_FORMAT_YAML) },
	}
	for _, step := range steps {
		if err := call(step); err != nil {
			return nil, 0, err
		}
	}
	docs := int(C.wd_render_result_document_count(res))
	return C.GoBytes(unsafe.Pointer(buf.ptr), C.int(buf.size)), docs, nil
}

// Supports reports whether an Istio version has a capability ("wasm-plugin", ...).
func Supports(istio, capability string) (bool, error) {
	var cs cstrings
	defer cs.free()
	var yes C.int
	err := call(func() C.int { return C.wd_capability_supported(&yes, cs.of(istio), cs.of(capability)) })
	return yes == 1, err
}

// Version is the loaded library's version.
func Version() string { return C.GoString(C.wd_version_string()) }
