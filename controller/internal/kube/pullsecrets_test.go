package kube

import (
	"strings"
	"testing"
)

func TestDockerConfigFromSecretKeepsOnlyAuths(t *testing.T) {
	data := map[string][]byte{".dockerconfigjson": []byte(`{"auths":{"r.example":{"auth":"dTpw"}},` +
		`"credHelpers":{"r.example":"evil"},"credsStore":"evil"}`)}
	got, err := DockerConfigFromSecret(SecretTypeDockerConfigJSON, data)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"auths":{"r.example":{"auth":"dTpw"}}}` {
		t.Fatalf("a tenant's credential helper reached the library: %s", got)
	}
}

func TestDockerConfigFromLegacyDockercfg(t *testing.T) {
	got, err := DockerConfigFromSecret(SecretTypeDockercfg, map[string][]byte{".dockercfg": []byte(`{"r.example":{"auth":"dTpw"}}`)})
	if err != nil || string(got) != `{"auths":{"r.example":{"auth":"dTpw"}}}` {
		t.Fatalf("got %s, %v", got, err)
	}
}

func TestDockerConfigFromSecretRefusals(t *testing.T) {
	for _, c := range []struct {
		typ  string
		data map[string][]byte
		want string
	}{
		{"Opaque", map[string][]byte{".dockerconfigjson": []byte(`{}`)}, "not kubernetes.io/dockerconfigjson"},
		{SecretTypeDockerConfigJSON, map[string][]byte{}, "no .dockerconfigjson"},
		{SecretTypeDockerConfigJSON, map[string][]byte{".dockerconfigjson": []byte(`[`)}, "no docker config JSON"},
		{SecretTypeDockerConfigJSON, map[string][]byte{".dockerconfigjson": make([]byte, MaxPullSecretBytes+1)}, "more than"},
	} {
		_, err := DockerConfigFromSecret(c.typ, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.typ, err, c.want)
		}
	}
}
