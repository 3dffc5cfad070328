// Package wasmdeploy is the controller's cgo binding to libwasmdeploy_c: specs in, rendered
// documents out. Point cgo at the library with
//
//	CGO_CFLAGS="-I<prefix>/include" CGO_LDFLAGS="-L<prefix>/lib -Wl,-rpath,<prefix>/lib"
package wasmdeploy

/*
#cgo LDFLAGS: -lwasmdeploy_c
#include <stdlib.h>
#include <wasmdeploy/wasmdeploy.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"unsafe"
)

// Error is a failure reported by the C API: the stable id ("spec.unknown-field"), the field
// path and the formatted message.
type Error struct {
	Code    int
	ID      string
	Path    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// call runs one C call and reads the thread-local last error on the same OS thread.
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := f(); rc != C.WD_OK {
		e := C.wd_error_last()
		return &Error{Code: int(rc), ID: C.GoString(e.id), Path: C.GoString(e.path), Message: C.GoString(e.message)}
	}
	return nil
}

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

// Spec owns a wd_spec handle. Not safe for concurrent mutation; each reconcile builds its own.
type Spec struct{ h *C.wd_spec }

func bytesArg(b []byte) (*C.char, C.size_t, func()) {
	if len(b) == 0 {
		return nil, 0, func() {}
	}
	p := C.CBytes(b)
	return (*C.char)(p), C.size_t(len(b)), func() { C.free(p) }
}

// ParseSpec reads a WasmDeployment spec (YAML or JSON), strictly.
func ParseSpec(text []byte, file string) (*Spec, error) {
	var cs cstrings
	defer cs.free()
	p, n, done := bytesArg(text)
	defer done()
	s := &Spec{}
	if err := call(func() C.int { return C.wd_spec_parse(&s.h, p, n, cs.of(file), cs.of("/nonexistent")) }); err != nil {
		return nil, err
	}
	return s, nil
}

// ImportSpec reads FilterDeployments (and EnvoyFilters/WasmPlugins) into a spec.
func ImportSpec(text []byte, file string) (*Spec, error) {
	var cs cstrings
	defer cs.free()
	p, n, done := bytesArg(text)
	defer done()
	s := &Spec{}
	if err := call(func() C.int { return C.wd_spec_import(&s.h, p, n, cs.of(file)) }); err != nil {
		return nil, err
	}
	return s, nil
}

// Free releases the handle.
func (s *Spec) Free() {
	if s != nil && s.h != nil {
		C.wd_spec_free(s.h)
		s.h = nil
	}
}

// FilterCount and TargetCount size the spec.
func (s *Spec) FilterCount() int { return int(C.wd_spec_filter_count(s.h)) }
func (s *Spec) TargetCount() int { return int(C.wd_spec_target_count(s.h)) }

// SetFilter sets a filter field by its spec-file name.
func (s *Spec) SetFilter(i int, field, value string) error {
	var cs cstrings
	defer cs.free()
	return call(func() C.int { return C.wd_spec_filter_set(s.h, C.size_t(i), cs.of(field), cs.of(value)) })
}

// ResetTarget restores a target field to its default (unset).
func (s *Spec) ResetTarget(i int, field string) error {
	var cs cstrings
	defer cs.free()
	return call(func() C.int { return C.wd_spec_target_set(s.h, C.size_t(i), cs.of(field), nil) })
}

// Workload is one workload object a target applies to.
type Workload struct {
	Name, Kind  string
	Labels      map[string]string // pod template labels
	Annotations map[string]string // pod template annotations before any wasmdeploy change
}

// AddWorkload appends a workload to target t.
func (s *Spec) AddWorkload(t int, w Workload) error {
	var cs cstrings
	defer cs.free()
	var wi C.size_t
	if err := call(func() C.int {
		return C.wd_spec_target_add_workload(&wi, s.h, C.size_t(t), cs.of(w.Name), cs.of(w.Kind))
	}); err != nil {
		return err
	}
	for _, k := range sortedKeys(w.Labels) {
		if err := call(func() C.int {
			return C.wd_spec_workload_add_label(s.h, C.size_t(t), wi, cs.of(k), cs.of(w.Labels[k]))
		}); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(w.Annotations) {
		if err := call(func() C.int {
			return C.wd_spec_workload_add_annotation(s.h, C.size_t(t), wi, cs.of(k), cs.of(w.Annotations[k]))
		}); err != nil {
			return err
		}
	}
	return nil
}

// Role says whether a document is a whole resource or a partial object for a user's workload.
type Role int

const (
	Resource Role = C.WD_DOCUMENT_RESOURCE
	Patch    Role = C.WD_DOCUMENT_PATCH
)

// Document is one rendered object.
type Document struct {
	Role   Role
	Object map[string]interface{}
}

// Diagnostic is a finding that did not stop the render (a warning or note): stable id, field
// path and the formatted text.
type Diagnostic struct {
	Warning  bool
	ID, Path string
	Text     string
}

// Render validates, plans and renders the spec for an Istio version; the diagnostics are the
// library's warnings and notes, whatever they are (the controller surfaces them generically).
func (s *Spec) Render(istio string) ([]Document, []Diagnostic, error) {
	var cs cstrings
	defer cs.free()
	var opts *C.wd_render_options
	if err := call(func() C.int { return C.wd_render_options_new(&opts) }); err != nil {
		return nil, nil, err
	}
	defer C.wd_render_options_free(opts)
	if err := call(func() C.int { return C.wd_render_options_set_istio(opts, cs.of(istio)) }); err != nil {
		return nil, nil, err
	}
	var res *C.wd_render_result
	if err := call(func() C.int { return C.wd_render(&res, s.h, opts) }); err != nil {
		return nil, nil, err
	}
	defer C.wd_render_result_free(res)
	buf := C.wd_buf{}
	if err := call(func() C.int { return C.wd_render_result_text(&buf, res, C.WD_FORMAT_JSON) }); err != nil {
		return nil, nil, err
	}
	text := C.GoBytes(unsafe.Pointer(buf.ptr), C.int(buf.size))
	C.wd_buf_dispose(&buf)
	var list struct {
		Items []map[string]interface{} `json:"items"`
	}
	if err := json.Unmarshal(text, &list); err != nil {
		return nil, nil, fmt.Errorf("reading the rendered List: %w", err)
	}
	var roles []Role
	for i, n := 0, int(C.wd_render_result_document_count(res)); i < n; i++ {
		d := C.wd_render_result_document(res, C.size_t(i))
		if d.role != C.WD_DOCUMENT_FILE {
			roles = append(roles, Role(d.role))
		}
	}
	if len(roles) != len(list.Items) {
		return nil, nil, fmt.Errorf("render gave %d documents but %d objects", len(roles), len(list.Items))
	}
	docs := make([]Document, len(roles))
	for i := range roles {
		docs[i] = Document{Role: roles[i], Object: list.Items[i]}
	}
	var diags []Diagnostic
	for i, n := 0, int(C.wd_render_result_diagnostic_count(res)); i < n; i++ {
		d := C.wd_render_result_diagnostic(res, C.size_t(i))
		if d == nil {
			continue
		}
		diags = append(diags, Diagnostic{Warning: d.severity >= C.WD_SEVERITY_WARNING, ID: C.GoString(d.id),
			Path: C.GoString(d.path), Text: C.GoString(d.text)})
	}
	return docs, diags, nil
}

// UndeployRestore is `wasmdeploy undeploy --restore` for the spec: the merge patches that take
// its filters off the workloads it lists, computed from the annotations the spec carries for
// them (the live ones), so what other filters added stays.
func (s *Spec) UndeployRestore(istio string) ([]map[string]interface{}, error) {
	var cs cstrings
	defer cs.free()
	buf := C.wd_buf{}
	if err := call(func() C.int { return C.wd_undeploy_restore_text(&buf, s.h, cs.of(istio), C.WD_FORMAT_JSON) }); err != nil {
		return nil, err
	}
	text := C.GoBytes(unsafe.Pointer(buf.ptr), C.int(buf.size))
	C.wd_buf_dispose(&buf)
	var list struct {
		Items []map[string]interface{} `json:"items"`
	}
	if err := json.Unmarshal(text, &list); err != nil {
		return nil, fmt.Errorf("reading the restore List: %w", err)
	}
	return list.Items, nil
}

// CheckIstio validates a version string ("1.8", "1.8.1").
func CheckIstio(v string) error {
	var cs cstrings
	defer cs.free()
	return call(func() C.int { return C.wd_istio_check(cs.of(v)) })
}

// Version is the loaded library's version.
func Version() string { return C.GoString(C.wd_version_string()) }
