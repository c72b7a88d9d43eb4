package webhook_test

import (
	"strings"
	"testing"

	"github.com/govhook/govhook/internal/evidencetest"
)

// kindReview is a CREATE review of the given request kind carrying object.
func kindReview(group, version, kind, resource, object string) string {
	return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1",
"kind":{"group":"` + group + `","version":"` + version + `","kind":"` + kind + `"},"resource":{"group":"` + group + `","version":"` + version + `","resource":"` + resource + `"},
"name":"web","namespace":"shop","operation":"CREATE","userInfo":{"username":"alice"},"object":` + object + `}}`
}

// privilegedDeployment is a Deployment whose pod template runs a privileged container.
const privilegedDeployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","labels":{"owner":"payments"}},
"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}}}`

// TestHandlerRefusesRequestsOfAnotherKind reproduces issue 16 row 9: a request whose object
// is not of the request's kind, or of a kind the webhook configuration never sends, was
// judged by the request kind's policies (often none) and admitted.
func TestHandlerRefusesRequestsOfAnotherKind(t *testing.T) {
	tests := []struct {
		name, body, wantMessage string
	}{
		{
			name:        "a ConfigMap request wrapping a privileged Deployment",
			body:        kindReview("", "v1", "ConfigMap", "configmaps", privilegedDeployment),
			wantMessage: `request object is apiVersion "apps/v1" kind "Deployment", not the request's /v1, Kind=ConfigMap`,
		},
		{
			name:        "a kind no API serves",
			body:        kindReview("apps", "v1", "Deploymentx", "deploymentxs", strings.Replace(privilegedDeployment, `"Deployment"`, `"Deploymentx"`, 1)),
			wantMessage: `kind "apps/v1, Kind=Deploymentx" is not one the webhook configuration sends govhook`,
		},
		{
			name:        "a kind the webhook configuration does not register",
			body:        kindReview("", "v1", "LimitRange", "limitranges", `{"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"web"}}`),
			wantMessage: `kind "/v1, Kind=LimitRange" is not one the webhook configuration sends govhook`,
		},
		{
			name:        "an object without apiVersion and kind",
			body:        kindReview("apps", "v1", "Deployment", "deployments", strings.Replace(privilegedDeployment, `"apiVersion":"apps/v1","kind":"Deployment",`, "", 1)),
			wantMessage: `request object is apiVersion "" kind "", not the request's apps/v1, Kind=Deployment`,
		},
		{
			name:        "an apiVersion that is not a string",
			body:        kindReview("apps", "v1", "Deployment", "deployments", strings.Replace(privilegedDeployment, `"apiVersion":"apps/v1"`, `"apiVersion":5`, 1)),
			wantMessage: "request object: json: cannot unmarshal number",
		},
		{
			name:        "an old object of another kind",
			body:        strings.Replace(kindReview("apps", "v1", "Deployment", "deployments", privilegedDeployment), `"object":`, `"oldObject":{"apiVersion":"v1","kind":"ConfigMap"},"object":`, 1),
			wantMessage: `request oldObject is apiVersion "v1" kind "ConfigMap", not the request's apps/v1, Kind=Deployment`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evidencetest.Memory{}
			resp := decodeResponse(t, post(newHandler(t, ev), "application/json", tc.body))
			if resp.Allowed || resp.Result == nil || resp.Result.Code != 400 || !strings.Contains(resp.Result.Message, tc.wantMessage) {
				t.Fatalf("got %+v, want a 400 refusal containing %q", resp.Result, tc.wantMessage)
			}
			if len(ev.Records()) != 1 || ev.Records()[0].Decision != "error" {
				t.Errorf("want one error evidence record, got %+v", ev.Records())
			}
		})
	}
}
