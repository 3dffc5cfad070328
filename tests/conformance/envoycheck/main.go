// envoycheck validates the Envoy configuration carried by Istio EnvoyFilter
// manifests (and whole Envoy v3 bootstrap files) against Envoy's own API:
// the protobuf schema from go-control-plane (unknown fields are errors) and
// the protoc-gen-validate (PGV) rules compiled into it (ValidateAll()).
//
// Usage:
//
//	envoycheck [--istio-version X.Y] [--no-ecds-pairing] FILE_OR_DIR...
//	envoycheck --bootstrap FILE
//
// For every EnvoyFilter, every configPatches[] entry with applyTo HTTP_FILTER
// or EXTENSION_CONFIG has its patch.value decoded into
// envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter or
// envoy.config.core.v3.TypedExtensionConfig.  Every google.protobuf.Any in the
// result is unpacked; udpa.type.v1.TypedStruct / xds.type.v3.TypedStruct are
// unwrapped into the message named by their type_url, built from the Struct
// with protojson (unknown fields rejected).  Then ValidateAll() is called on
// the top message and on every unpacked message (PGV does not look inside
// Any).  WasmPlugin and other kinds are skipped: they are not Envoy config.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	udpatypev1 "github.com/cncf/xds/go/udpa/type/v1"
	xdstypev3 "github.com/cncf/xds/go/xds/type/v3"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
	"gopkg.in/yaml.v3"
)

const (
	udpaTypedStruct = "udpa.type.v1.TypedStruct"
	xdsTypedStruct  = "xds.type.v3.TypedStruct"
	wasmHTTPType    = "envoy.extensions.filters.http.wasm.v3.Wasm"
)

type version struct{ major, minor int }

func (v version) less(o version) bool {
	return v.major < o.major || (v.major == o.major && v.minor < o.minor)
}

func parseVersion(s string) (version, error) {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) < 2 {
		return version{}, fmt.Errorf("bad Istio version %q (want X.Y[.Z])", s)
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return version{}, fmt.Errorf("bad Istio version %q (want X.Y[.Z])", s)
	}
	return version{ma, mi}, nil
}

type checker struct {
	istio   version
	checked int
	failed  int
	skipped int
	// ECDS pairing: filter names referenced by config_discovery, and names
	// provided by EXTENSION_CONFIG patches (with their inner type).
	discoveryRefs map[string][]discoveryRef
	extConfigs    map[string]string
}

type discoveryRef struct {
	where    string
	typeURLs []string
}

func (c *checker) fail(where, format string, args ...any) {
	c.failed++
	fmt.Printf("FAIL %s: %s\n", where, fmt.Sprintf(format, args...))
}

func (c *checker) note(where, format string, args ...any) {
	fmt.Printf("note %s: %s\n", where, fmt.Sprintf(format, args...))
}

// yamlDocs decodes every document of a multi-document YAML stream into
// JSON-compatible Go values (map[string]any, []any, scalars).
func yamlDocs(r io.Reader) ([]any, error) {
	dec := yaml.NewDecoder(r)
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return docs, err
		}
		docs = append(docs, jsonable(v))
	}
}

// jsonable converts yaml.v3 output into values encoding/json can marshal
// (yaml.v3 already yields map[string]any for string keys; other keys are
// stringified).
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonable(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = jsonable(e)
		}
		return t
	default:
		return v
	}
}

var strict = protojson.UnmarshalOptions{DiscardUnknown: false}

// decodeInto fills msg from a JSON-compatible value; protojson accepts both
// the proto (snake_case) and the JSON (lowerCamelCase) field names.
func decodeInto(value any, msg proto.Message) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return strict.Unmarshal(raw, msg)
}

func typeName(url string) string {
	if i := strings.LastIndex(url, "/"); i >= 0 {
		return url[i+1:]
	}
	return url
}

// newMessage builds an empty message for a type URL from the types linked
// into this binary.
func newMessage(url string) (proto.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(url)
	if err != nil {
		hint := ""
		if strings.Contains(url, ".v2.") || strings.Contains(url, ".v2alpha.") {
			hint = " (xDS v2 type: Envoy and Istio >= 1.19 reject it; use the v3 type)"
		}
		return nil, fmt.Errorf("unknown type %q%s", url, hint)
	}
	return mt.New().Interface(), nil
}

// unwrapTypedStruct builds the message a TypedStruct stands for.
func unwrapTypedStruct(typeURL string, value *structpb.Struct) (proto.Message, error) {
	if typeURL == "" {
		return nil, errors.New("TypedStruct without type_url")
	}
	inner, err := newMessage(typeURL)
	if err != nil {
		return nil, err
	}
	raw, err := protojson.Marshal(value)
	if err != nil {
		return nil, err
	}
	if err := strict.Unmarshal(raw, inner); err != nil {
		return nil, fmt.Errorf("TypedStruct value as %s: %v", typeName(typeURL), err)
	}
	return inner, nil
}

type validatorAll interface{ ValidateAll() error }

// pgvError is what protoc-gen-validate's generated <Msg>ValidationError
// types implement; pgvMulti is its <Msg>MultiError.
type pgvError interface {
	Field() string
	Reason() string
	Cause() error
}
type pgvMulti interface{ AllErrors() []error }

func shortName(full string) string {
	if i := strings.LastIndex(full, "."); i >= 0 {
		return full[i+1:]
	}
	return full
}

// pgvLeaves flattens PGV's nested "embedded message failed validation"
// chains into one line per violated rule: Msg.field.sub: reason.
func pgvLeaves(err error, prefix string) []string {
	if m, ok := err.(pgvMulti); ok {
		var out []string
		for _, e := range m.AllErrors() {
			out = append(out, pgvLeaves(e, prefix)...)
		}
		return out
	}
	if e, ok := err.(pgvError); ok {
		p := prefix + "." + e.Field()
		if e.Cause() != nil {
			if _, nested := e.Cause().(pgvError); nested {
				return pgvLeaves(e.Cause(), p)
			}
			if _, nested := e.Cause().(pgvMulti); nested {
				return pgvLeaves(e.Cause(), p)
			}
			return []string{fmt.Sprintf("%s: %s: %v", p, e.Reason(), e.Cause())}
		}
		return []string{fmt.Sprintf("%s: %s", p, e.Reason())}
	}
	return []string{fmt.Sprintf("%s: %v", prefix, err)}
}
type validator interface{ Validate() error }

// validateTree runs PGV on msg and then on every message packed in an Any
// (or TypedStruct) anywhere below it.  path names the location for messages.
func validateTree(msg proto.Message, path string, errs *[]string, seen *[]string) {
	name := string(msg.ProtoReflect().Descriptor().FullName())
	*seen = append(*seen, name)
	var err error
	switch v := msg.(type) {
	case validatorAll:
		err = v.ValidateAll()
	case validator:
		err = v.Validate()
	}
	if err != nil {
		for _, leaf := range pgvLeaves(err, shortName(name)) {
			*errs = append(*errs, fmt.Sprintf("%s: PGV: %s", path, leaf))
		}
	}
	walkAnys(msg.ProtoReflect(), path, errs, seen)
}

func walkAnys(m protoreflect.Message, path string, errs *[]string, seen *[]string) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := path + "." + string(fd.Name())
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visitMessage(l.Get(i).Message(), fmt.Sprintf("%s[%d]", p, i), errs, seen)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				visitMessage(mv.Message(), fmt.Sprintf("%s[%v]", p, k.Interface()), errs, seen)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			visitMessage(v.Message(), p, errs, seen)
		}
		return true
	})
}

func visitMessage(m protoreflect.Message, path string, errs *[]string, seen *[]string) {
	if m.Descriptor().FullName() != "google.protobuf.Any" {
		extraChecks(m, path, errs)
		walkAnys(m, path, errs, seen)
		return
	}
	a, ok := m.Interface().(*anypb.Any)
	if !ok {
		return
	}
	inner, err := anypb.UnmarshalNew(a, proto.UnmarshalOptions{})
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("%s: cannot unpack %s: %v", path, a.GetTypeUrl(), err))
		return
	}
	switch ts := inner.(type) {
	case *udpatypev1.TypedStruct:
		*seen = append(*seen, udpaTypedStruct)
		msg, err := unwrapTypedStruct(ts.GetTypeUrl(), ts.GetValue())
		if err != nil {
			*errs = append(*errs, fmt.Sprintf("%s: %v", path, err))
			return
		}
		validateTree(msg, path+"<"+typeName(ts.GetTypeUrl())+">", errs, seen)
	case *xdstypev3.TypedStruct:
		*seen = append(*seen, xdsTypedStruct)
		msg, err := unwrapTypedStruct(ts.GetTypeUrl(), ts.GetValue())
		if err != nil {
			*errs = append(*errs, fmt.Sprintf("%s: %v", path, err))
			return
		}
		validateTree(msg, path+"<"+typeName(ts.GetTypeUrl())+">", errs, seen)
	default:
		validateTree(inner, path+"<"+typeName(a.GetTypeUrl())+">", errs, seen)
	}
}

// Wasm runtimes Envoy knows; Istio's proxy builds ship v8 and null only.
var wasmRuntimes = map[string]bool{
	"envoy.wasm.runtime.v8": true, "envoy.wasm.runtime.null": true,
	"envoy.wasm.runtime.wamr": true, "envoy.wasm.runtime.wasmtime": true,
	"envoy.wasm.runtime.wavm": true,
}

// extraChecks enforces what Envoy checks at load time beyond PGV.
func extraChecks(m protoreflect.Message, path string, errs *[]string) {
	if m.Descriptor().FullName() == "envoy.extensions.wasm.v3.VmConfig" {
		rt := m.Get(m.Descriptor().Fields().ByName("runtime")).String()
		if rt == "" {
			*errs = append(*errs, path+".runtime: empty (Envoy cannot create the Wasm VM; use envoy.wasm.runtime.v8)")
		} else if !wasmRuntimes[rt] {
			*errs = append(*errs, fmt.Sprintf("%s.runtime: unknown Wasm runtime %q", path, rt))
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// field returns m[snake] or m[camel].
func field(m map[string]any, snake, camel string) (any, bool) {
	if v, ok := m[snake]; ok {
		return v, true
	}
	v, ok := m[camel]
	return v, ok
}

func (c *checker) checkPatch(where, applyTo, op string, value map[string]any) {
	if _, legacy := value["config"]; legacy {
		if c.istio.less(version{1, 7}) {
			c.skipped++
			c.note(where, "not a v3 HttpFilter: legacy `config:` field (xDS v2 form, valid for Istio %d.%d); v3 checks skipped", c.istio.major, c.istio.minor)
		} else {
			c.checked++
			c.fail(where, "not a v3 HttpFilter: legacy `config:` field (xDS v2); Istio >= 1.7 decodes patches as v3 and drops it, use typed_config")
		}
		return
	}
	if c.istio.less(version{1, 7}) {
		c.skipped++
		c.note(where, "Istio %d.%d converts patches to xDS v2 types; v3 checks skipped", c.istio.major, c.istio.minor)
		return
	}
	var msg proto.Message
	switch applyTo {
	case "HTTP_FILTER":
		msg = &hcmv3.HttpFilter{}
	case "EXTENSION_CONFIG":
		if c.istio.less(version{1, 9}) {
			c.checked++
			c.fail(where, "applyTo EXTENSION_CONFIG needs Istio >= 1.9")
			return
		}
		msg = &corev3.TypedExtensionConfig{}
	default:
		return
	}
	c.checked++
	if err := decodeInto(value, msg); err != nil {
		hint := ""
		if strings.Contains(err.Error(), "unable to resolve") && strings.Contains(err.Error(), ".v2.") {
			hint = " (xDS v2 type URL: rejected by Istio >= 1.19 and by Envoy; use the v3 type)"
		}
		c.fail(where, "%s: %v%s", msg.ProtoReflect().Descriptor().FullName(), err, hint)
		return
	}
	var errs, seen []string
	if op == "MERGE" {
		// A MERGE value is a partial object: required fields may be absent.
		// Check it decodes (done above) and check the packed messages only.
		walkAnys(msg.ProtoReflect(), "value", &errs, &seen)
		c.note(where, "MERGE patch: PGV rules of the partial top-level object not enforced")
	} else {
		validateTree(msg, "value", &errs, &seen)
	}
	for _, s := range seen {
		if s == xdsTypedStruct && c.istio.less(version{1, 13}) {
			errs = append(errs, "xds.type.v3.TypedStruct needs Envoy >= 1.21 (Istio >= 1.13); use udpa.type.v1.TypedStruct")
		}
		if s == xdsTypedStruct && applyTo == "EXTENSION_CONFIG" {
			c.note(where, "istio-agent only converts remote Wasm code in udpa.type.v1.TypedStruct or direct Wasm; xds.type.v3.TypedStruct is passed to Envoy unchanged")
		}
	}
	if len(errs) > 0 {
		c.failed++
		for _, e := range errs {
			fmt.Printf("FAIL %s: %s\n", where, e)
		}
		return
	}
	name := ""
	switch m := msg.(type) {
	case *hcmv3.HttpFilter:
		name = m.GetName()
		if cd := m.GetConfigDiscovery(); cd != nil {
			for _, u := range cd.GetTypeUrls() {
				if _, err := newMessage(u); err != nil {
					c.fail(where, "config_discovery.type_urls: %v", err)
					return
				}
			}
			c.discoveryRefs[name] = append(c.discoveryRefs[name], discoveryRef{where, cd.GetTypeUrls()})
		}
	case *corev3.TypedExtensionConfig:
		name = m.GetName()
		inner := m.GetTypedConfig().GetTypeUrl()
		// seen = [TypedExtensionConfig, TypedStruct, <inner type>, ...] when wrapped
		if len(seen) >= 3 && (seen[1] == udpaTypedStruct || seen[1] == xdsTypedStruct) {
			inner = "type.googleapis.com/" + seen[2]
		}
		c.extConfigs[name] = inner
	}
	fmt.Printf("ok   %s: %s %q (%s)\n", where, applyTo, name, strings.Join(dedupe(seen), ", "))
}

func dedupe(s []string) []string {
	var out []string
	have := map[string]bool{}
	for _, x := range s {
		if !have[x] {
			have[x] = true
			out = append(out, x)
		}
	}
	return out
}

func (c *checker) checkDoc(where string, doc any) {
	m := asMap(doc)
	if m == nil {
		return
	}
	if str(m["kind"]) != "EnvoyFilter" || !strings.HasPrefix(str(m["apiVersion"]), "networking.istio.io/") {
		if k := str(m["kind"]); k != "" {
			fmt.Printf("skip %s: %s (not an EnvoyFilter)\n", where, k)
		}
		return
	}
	name := str(asMap(m["metadata"])["name"])
	patches, _ := field(asMap(m["spec"]), "config_patches", "configPatches")
	list, _ := patches.([]any)
	for i, p := range list {
		pm := asMap(p)
		applyTo := str(pm["applyTo"])
		if applyTo == "" {
			applyTo = str(pm["apply_to"])
		}
		patch := asMap(pm["patch"])
		op := str(patch["operation"])
		value := asMap(patch["value"])
		w := fmt.Sprintf("%s EnvoyFilter %s configPatches[%d]", where, name, i)
		if applyTo != "HTTP_FILTER" && applyTo != "EXTENSION_CONFIG" {
			continue
		}
		if op == "REMOVE" || value == nil {
			continue
		}
		c.checkPatch(w, applyTo, op, value)
	}
}

func (c *checker) checkPairing() {
	names := make([]string, 0, len(c.discoveryRefs))
	for n := range c.discoveryRefs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, ref := range c.discoveryRefs[n] {
			inner, ok := c.extConfigs[n]
			if !ok {
				c.fail(ref.where, "config_discovery for %q but no EXTENSION_CONFIG named %q in the inputs", n, n)
				continue
			}
			match := false
			for _, u := range ref.typeURLs {
				if u == inner {
					match = true
				}
			}
			if !match {
				c.fail(ref.where, "EXTENSION_CONFIG %q has type %s, not one of config_discovery.type_urls %v", n, inner, ref.typeURLs)
			}
		}
	}
}

func collect(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func checkBootstrap(file string) int {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer f.Close()
	docs, err := yamlDocs(f)
	if err != nil || len(docs) != 1 {
		fmt.Printf("FAIL %s: want exactly one YAML document (%v)\n", file, err)
		fmt.Println("envoycheck: 1 checked, 1 failed, 0 skipped")
		return 1
	}
	b := &bootstrapv3.Bootstrap{}
	if err := decodeInto(docs[0], b); err != nil {
		fmt.Printf("FAIL %s: envoy.config.bootstrap.v3.Bootstrap: %v\n", file, err)
		fmt.Println("envoycheck: 1 checked, 1 failed, 0 skipped")
		return 1
	}
	var errs, seen []string
	validateTree(b, "bootstrap", &errs, &seen)
	for _, e := range errs {
		fmt.Printf("FAIL %s: %s\n", file, e)
	}
	if len(errs) > 0 {
		fmt.Println("envoycheck: 1 checked, 1 failed, 0 skipped")
		return 1
	}
	fmt.Printf("ok   %s: bootstrap (%s)\n", file, strings.Join(dedupe(seen), ", "))
	fmt.Println("envoycheck: 1 checked, 0 failed, 0 skipped")
	return 0
}

func main() {
	istio := flag.String("istio-version", "", "Istio version the manifests target (X.Y[.Z]); default: newest rules")
	bootstrap := flag.String("bootstrap", "", "validate this Envoy v3 bootstrap YAML/JSON file instead")
	noPairing := flag.Bool("no-ecds-pairing", false, "do not require an EXTENSION_CONFIG for every config_discovery filter")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: envoycheck [--istio-version X.Y] [--no-ecds-pairing] FILE_OR_DIR...\n       envoycheck --bootstrap FILE\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *bootstrap != "" {
		os.Exit(checkBootstrap(*bootstrap))
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	c := &checker{istio: version{99, 0}, discoveryRefs: map[string][]discoveryRef{}, extConfigs: map[string]string{}}
	if *istio != "" {
		v, err := parseVersion(*istio)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		c.istio = v
		if v.less(version{1, 7}) {
			fmt.Printf("note: Istio %s decodes EnvoyFilter patches as xDS v2; Envoy v3 checks are skipped\n", *istio)
		}
	}
	files, err := collect(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			c.fail(file, "%v", err)
			continue
		}
		docs, err := yamlDocs(f)
		f.Close()
		if err != nil {
			c.fail(file, "YAML: %v", err)
		}
		for i, d := range docs {
			c.checkDoc(fmt.Sprintf("%s#%d", file, i+1), d)
		}
	}
	if !*noPairing {
		c.checkPairing()
	}
	fmt.Printf("envoycheck: %d checked, %d failed, %d skipped\n", c.checked, c.failed, c.skipped)
	if c.failed > 0 {
		os.Exit(1)
	}
}
