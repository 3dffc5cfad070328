// effect asks istiod's own config generation where rendered filters land.
//
// It links the istio.io/istio module at one release (build-effect.sh pins it
// by pseudo-version; one binary per release) and uses the in-process harness
// istiod's own unit tests use: pilot/pkg/networking/core.NewConfigGenTest
// (the config store, the ServiceEntry registry, a PushContext and the
// ConfigGeneratorImpl that istiod serves xDS from; pilot/test/xds's
// FakeDiscoveryServer embeds the same ConfigGenTest).  The configuration goes
// through crd.ParseInputs, i.e. istiod's own decoding and validation, and
// istiod's EnvoyFilter/WasmPlugin code patches the listeners.
//
// Input on stdin: one JSON case per line
//
//	{"id": "...", "config": "<multi-document YAML>",
//	 "proxies": [{"name": "details", "type": "sidecar"|"router", "namespace": "ns",
//	              "labels": {...}, "ip": "10.0.0.1"}],
//	 "extensionNames": ["..."]}
//
// Output on stdout: one JSON line per case, same order, with every filter
// chain of every listener istiod builds for each proxy (network filter names,
// HTTP filter names in order, and the config_discovery names), and the ECDS
// resources istiod serves for the names the listeners reference plus the
// extra extensionNames.  Judging is left to the caller (run_effect.py): the
// oracle only reports what istiod generated.  A case whose config istiod
// refuses gets "error".
//
// The harness API used here is the same at every pinned release (1.25.3,
// 1.27.0, 1.29.1, release-1.30 @9739e10eb9d7, 1.31-rc @eed52ebb66ad; read in
// the module cache: pilot/pkg/networking/core/fake.go
// NewConfigGenTest/SetupProxy/Listeners, extension_config_builder.go
// BuildExtensionConfiguration, pkg/test/failer.go Wrap), so there is no
// per-release file.
//
// Ambient: a case with "kubernetes" objects (a waypoint's Gateway API Gateway
// and Service, app Services labelled istio.io/use-waypoint, Namespaces) runs on
// pilot/test/xds.NewFakeDiscoveryServer instead, the harness istiod's own
// waypoint tests use (pilot/pkg/xds/waypoint_test.go setupWaypointTest): it
// adds the fake Kubernetes registry, the Gateway API controller and the ambient
// index, so a proxy of type "waypoint" gets istiod's waypoint listeners
// (listener_waypoint.go) and Gateway API gateways are converted as istiod
// does.  That needs PILOT_ENABLE_AMBIENT=true in the environment (the features
// are read at start-up); oracle.py runs such batches in their own process.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/test"
	"istio.io/istio/pkg/wellknown"
)

type proxySpec struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
}

type request struct {
	ID             string      `json:"id"`
	Config         string      `json:"config"`
	Proxies        []proxySpec `json:"proxies"`
	ExtensionNames []string    `json:"extensionNames"`
	// IstioVersion is the proxy's reported version (ISTIO_VERSION metadata).
	IstioVersion string `json:"istioVersion"`
	// Kubernetes objects for the fake cluster (ambient cases); empty: the config store only.
	Kubernetes string `json:"kubernetes"`
	// Discovery runs the case on pilot/test/xds.NewFakeDiscoveryServer even without Kubernetes
	// objects.  From 1.30 istiod reads a WasmPlugin only through the controller that translates it
	// into a TrafficExtension (pilot/pkg/config/kube/extensions, wired by bootstrap and by that
	// harness, not by core.NewConfigGenTest), so oracle.py sets it for every case at 1.30+.
	Discovery bool `json:"discovery"`
}

type chain struct {
	Listener  string   `json:"listener"`
	Direction string   `json:"direction"`
	Chain     string   `json:"chain"`
	Network   []string `json:"network"`
	HTTP      []string `json:"http,omitempty"`
	Discovery []string `json:"discovery,omitempty"`
}

type proxyResult struct {
	Name   string   `json:"name"`
	Chains []chain  `json:"chains"`
	Served []string `json:"served"`
	// ServedConfigs: each served extension config's typed_config as protojson, so callers can
	// compare the Envoy configuration two resources produce (WasmPlugin vs TrafficExtension).
	ServedConfigs map[string]json.RawMessage `json:"servedConfigs,omitempty"`
}

type response struct {
	ID      string        `json:"id"`
	Error   string        `json:"error,omitempty"`
	Proxies []proxyResult `json:"proxies,omitempty"`
}

func direction(p *model.Proxy, l *listenerv3.Listener) string {
	if p.Type == model.Router {
		return "gateway"
	}
	if p.Type == model.Waypoint {
		return "waypoint"
	}
	switch l.GetTrafficDirection().String() {
	case "INBOUND":
		return "inbound"
	case "OUTBOUND":
		return "outbound"
	}
	return "unspecified"
}

func describeChain(p *model.Proxy, l *listenerv3.Listener, fc *listenerv3.FilterChain) chain {
	c := chain{Listener: l.GetName(), Direction: direction(p, l), Chain: fc.GetName(), Network: []string{}}
	for _, f := range fc.GetFilters() {
		c.Network = append(c.Network, f.GetName())
		if f.GetConfigDiscovery() != nil {
			c.Discovery = append(c.Discovery, f.GetName())
		}
		if f.GetName() != wellknown.HTTPConnectionManager || f.GetTypedConfig() == nil {
			continue
		}
		hcm := &hcmv3.HttpConnectionManager{}
		if err := f.GetTypedConfig().UnmarshalTo(hcm); err != nil {
			continue
		}
		for _, hf := range hcm.GetHttpFilters() {
			c.HTTP = append(c.HTTP, hf.GetName())
			if hf.GetConfigDiscovery() != nil {
				c.Discovery = append(c.Discovery, hf.GetName())
			}
		}
	}
	return c
}

func proxyType(s string) (model.NodeType, error) {
	switch s {
	case "", "sidecar":
		return model.SidecarProxy, nil
	case "router", "gateway":
		return model.Router, nil
	case "waypoint":
		return model.Waypoint, nil
	}
	return "", fmt.Errorf("proxy type %q: want sidecar, router or waypoint", s)
}

func answer(req request) response {
	resp := response{ID: req.ID}
	var out []proxyResult
	err := test.Wrap(func(t test.Failer) {
		defer func() {
			if r := recover(); r != nil {
				t.Fatal(fmt.Sprint("istiod panicked: ", r))
			}
		}()
		var cg *core.ConfigGenTest
		if req.Kubernetes != "" || req.Discovery {
			if req.Kubernetes != "" && !features.EnableAmbient {
				t.Fatal("an ambient case needs PILOT_ENABLE_AMBIENT=true in the oracle's environment")
			}
			cg = xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
				ConfigString:           req.Config,
				KubernetesObjectString: req.Kubernetes,
			}).ConfigGenTest
		} else {
			cg = core.NewConfigGenTest(t, core.TestOptions{ConfigString: req.Config})
		}
		for i, ps := range req.Proxies {
			typ, err := proxyType(ps.Type)
			if err != nil {
				t.Fatal(err)
			}
			ip := ps.IP
			if ip == "" {
				ip = fmt.Sprintf("10.1.0.%d", i+1)
			}
			version := req.IstioVersion
			p := cg.SetupProxy(&model.Proxy{
				Type:            typ,
				ID:              ps.Name + "." + ps.Namespace,
				ConfigNamespace: ps.Namespace,
				Labels:          ps.Labels,
				IPAddresses:     []string{ip},
				Metadata: &model.NodeMetadata{
					Namespace:    ps.Namespace,
					Labels:       ps.Labels,
					ClusterID:    cluster.ID("Kubernetes"),
					IstioVersion: version,
				},
			})
			pr := proxyResult{Name: ps.Name, Chains: []chain{}, Served: []string{}}
			wanted := map[string]bool{}
			for _, n := range req.ExtensionNames {
				wanted[n] = true
			}
			for _, l := range cg.Listeners(p) {
				for _, fc := range l.GetFilterChains() {
					c := describeChain(p, l, fc)
					for _, n := range c.Discovery {
						wanted[n] = true
					}
					pr.Chains = append(pr.Chains, c)
				}
				if dfc := l.GetDefaultFilterChain(); dfc != nil {
					c := describeChain(p, l, dfc)
					for _, n := range c.Discovery {
						wanted[n] = true
					}
					pr.Chains = append(pr.Chains, c)
				}
			}
			names := make([]string, 0, len(wanted))
			for n := range wanted {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, ec := range cg.ConfigGen.BuildExtensionConfiguration(p, cg.PushContext(), names, nil) {
				if ec != nil {
					pr.Served = append(pr.Served, ec.GetName())
					if b, err := (protojson.MarshalOptions{}).Marshal(ec.GetTypedConfig()); err == nil {
						if pr.ServedConfigs == nil {
							pr.ServedConfigs = map[string]json.RawMessage{}
						}
						pr.ServedConfigs[ec.GetName()] = b
					}
				}
			}
			sort.Strings(pr.Served)
			out = append(out, pr)
		}
	})
	if err != nil {
		resp.Error = strings.TrimSpace(err.Error())
		return resp
	}
	resp.Proxies = out
	return resp
}

func main() {
	// istiod logs every push and every patch it skips; the verdict is in the output.
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.NoneLevel)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var req request
		var resp response
		if err := json.Unmarshal([]byte(line), &req); err != nil {
			resp = response{Error: "bad request: " + err.Error()}
		} else {
			resp = answer(req)
		}
		if err := enc.Encode(resp); err != nil {
			fmt.Fprintln(os.Stderr, "effect:", err)
			os.Exit(1)
		}
		w.Flush()
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "effect:", err)
		os.Exit(1)
	}
}
