package kube

import (
	"encoding/json"
	"fmt"
)

// Pull secrets, the way Istio's WasmPlugin.imagePullSecret and wasme's
// imagePullOptions.pullSecret name them: a Secret in the object's own namespace, of type
// kubernetes.io/dockerconfigjson (or the older kubernetes.io/dockercfg). The controller reads
// it only by name, only in that namespace (controller/resolve.go), and passes on nothing but
// its "auths" entries: credHelpers and credsStore would make the controller run a
// docker-credential-* program a tenant names.

const (
	SecretTypeDockerConfigJSON = "kubernetes.io/dockerconfigjson"
	SecretTypeDockercfg        = "kubernetes.io/dockercfg"
)

// MaxPullSecretBytes bounds the Secret data read (the API server caps a Secret at 1 MiB).
const MaxPullSecretBytes = 256 << 10

// DockerConfigFromSecret returns a docker config.json holding only the Secret's credentials
// ("auths"), or why the Secret cannot be used.
func DockerConfigFromSecret(secretType string, data map[string][]byte) ([]byte, error) {
	var raw []byte
	switch secretType {
	case SecretTypeDockerConfigJSON:
		raw = data[".dockerconfigjson"]
	case SecretTypeDockercfg:
		raw = data[".dockercfg"]
	default:
		return nil, fmt.Errorf("is of type %q, not %s", secretType, SecretTypeDockerConfigJSON)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("has no %s key", map[string]string{SecretTypeDockerConfigJSON: ".dockerconfigjson", SecretTypeDockercfg: ".dockercfg"}[secretType])
	}
	if len(raw) > MaxPullSecretBytes {
		return nil, fmt.Errorf("holds %d bytes of registry configuration, more than %d", len(raw), MaxPullSecretBytes)
	}
	var auths map[string]json.RawMessage
	if secretType == SecretTypeDockercfg {
		if err := json.Unmarshal(raw, &auths); err != nil {
			return nil, fmt.Errorf("holds no JSON object: %v", err)
		}
	} else {
		var cfg struct {
			Auths map[string]json.RawMessage `json:"auths"`
		}
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, fmt.Errorf("holds no docker config JSON: %v", err)
		}
		auths = cfg.Auths
	}
	if auths == nil {
		auths = map[string]json.RawMessage{}
	}
	return json.Marshal(map[string]interface{}{"auths": auths})
}
