package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stage is one FROM of the Dockerfile with its instructions, continuation lines joined.
type stage struct {
	from         string
	instructions []string
}

func dockerfileStages(t *testing.T) []stage {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	sc := bufio.NewScanner(bytes.NewReader(data))
	var line string
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(text, "#") || text == "" {
			continue
		}
		if cont, ok := strings.CutSuffix(text, "\\"); ok {
			line += cont + " "
			continue
		}
		line += text
		instr, _, _ := strings.Cut(line, " ")
		if strings.EqualFold(instr, "FROM") {
			stages = append(stages, stage{from: line})
		} else if len(stages) > 0 {
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, line)
		}
		line = ""
	}
	if len(stages) != 2 {
		t.Fatalf("want a build stage and a final stage, got %d stages", len(stages))
	}
	return stages
}

// TestDockerfile checks the image recipe (docker itself cannot run here): a builder pinned to
// go.mod's Go version, a static build stamped with the version, and a final stage that is
// distroless, non-root and runs nothing.
func TestDockerfile(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go directive")
	}
	goVersion := string(goLine[1])
	stages := dockerfileStages(t)
	build, final := stages[0], stages[1]

	if want := "golang:" + goVersion + "-bookworm"; !strings.Contains(build.from, want+" ") {
		t.Errorf("builder %q, want %s (go.mod says go %s)", build.from, want, goVersion)
	}
	buildCmd := strings.Join(build.instructions, "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-buildvcs=false", "-X main.version=${VERSION}", "./cmd/govhook"} {
		if !strings.Contains(buildCmd, want) {
			t.Errorf("build stage lacks %q", want)
		}
	}
	if !regexp.MustCompile(`^FROM gcr\.io/distroless/static-debian12:nonroot(@sha256:[0-9a-f]{64})?$`).MatchString(final.from) {
		t.Errorf("final stage %q, want gcr.io/distroless/static-debian12:nonroot", final.from)
	}
	for _, in := range final.instructions {
		if instr, _, _ := strings.Cut(in, " "); strings.EqualFold(instr, "RUN") {
			t.Errorf("the final stage runs %q; it has no shell and must run nothing", in)
		}
	}
}

// TestDockerfileDescribesTheImage keeps the Dockerfile and the image `make image` assembles
// describing the same image: user, entrypoint, command, ports and labels (version and revision
// from the build arguments VERSION and REVISION).
func TestDockerfileDescribesTheImage(t *testing.T) {
	docker := map[string]any{}
	labels := map[string]string{}
	for _, in := range dockerfileStages(t)[1].instructions {
		instr, args, _ := strings.Cut(in, " ")
		switch strings.ToUpper(instr) {
		case "USER":
			docker["user"] = args
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(args), &v); err != nil {
				t.Errorf("%s %s: want the exec form: %v", instr, args, err)
			}
			docker[strings.ToLower(instr)] = v
		case "EXPOSE":
			var ports []string
			for p := range strings.FieldsSeq(args) {
				ports = append(ports, p+"/tcp")
			}
			slices.Sort(ports)
			docker["ports"] = ports
		case "LABEL":
			for _, m := range regexp.MustCompile(`([\w.-]+)="([^"]*)"`).FindAllStringSubmatch(args, -1) {
				labels[m[1]] = m[2]
			}
		}
	}
	docker["labels"] = labels

	idx, err := buildIndex(spec{Binaries: map[string][]byte{"linux/amd64": []byte("binary")}, CACerts: []byte("ca"), Version: "${VERSION}", Revision: "${REVISION}", Created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := platformImage(idx, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	built := map[string]string{}
	for k, v := range cfg.Config.Labels {
		if k != labelPrefix+"created" { // docker stamps the build time in the config instead
			built[k] = v
		}
	}
	image := map[string]any{
		"user":       cfg.Config.User,
		"entrypoint": cfg.Config.Entrypoint,
		"cmd":        cfg.Config.Cmd,
		"ports":      slices.Sorted(maps.Keys(cfg.Config.ExposedPorts)),
		"labels":     built,
	}
	if diff := cmp.Diff(docker, image); diff != "" {
		t.Errorf("the Dockerfile (-) and the image of make image (+) differ:\n%s", diff)
	}
}
