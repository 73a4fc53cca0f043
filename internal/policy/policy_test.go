package policy

import (
	"encoding/json"
	"testing"
)

func TestDocument(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/pets"
	tests := []struct {
		name      string
		effect    string
		resources []string
		want      string
	}{
		{"allow one", Allow, []string{arn}, `{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + arn + `"]}]}`},
		{"deny stage", Deny, []string{"arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/*"}, `{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/*"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]string(nil), tt.resources...)
			doc := Document(tt.effect, in...)
			in[0] = "changed"
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s\nwant %s", b, tt.want)
			}
		})
	}
}
