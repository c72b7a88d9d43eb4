package deploy

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks the image recipe (docker itself cannot run here): a builder pinned to
// go.mod's Go version, a static build stamped with the version, and a final stage that is
// distroless, non-root and runs nothing.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go directive")
	}
	goVersion := string(goLine[1])

	type stage struct {
		from         string
		instructions []string
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
	build, final := stages[0], stages[1]

	if want := "golang:" + goVersion + "-bookworm"; !strings.Contains(build.from, want+" ") {
		t.Errorf("builder %q, want %s (go.mod says go %s)", build.from, want, goVersion)
	}
	buildCmd := strings.Join(build.instructions, "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=${VERSION}", "./cmd/govhook"} {
		if !strings.Contains(buildCmd, want) {
			t.Errorf("build stage lacks %q", want)
		}
	}
	if !regexp.MustCompile(`^FROM gcr\.io/distroless/static-debian12:nonroot(@sha256:[0-9a-f]{64})?$`).MatchString(final.from) {
		t.Errorf("final stage %q, want gcr.io/distroless/static-debian12:nonroot", final.from)
	}
	var user string
	for _, in := range final.instructions {
		instr, args, _ := strings.Cut(in, " ")
		switch strings.ToUpper(instr) {
		case "RUN":
			t.Errorf("the final stage runs %q; it has no shell and must run nothing", in)
		case "USER":
			user = args
		case "ENTRYPOINT":
			if args != `["/govhook"]` {
				t.Errorf("ENTRYPOINT %s, want the binary in exec form", args)
			}
		}
	}
	if user != "65532:65532" {
		t.Errorf("USER %q, want 65532:65532", user)
	}
}
