package report

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// chromiumInstall is the package line CI needs for TestHTMLReportRendersInChromium.
const chromiumInstall = "apt-get install -y chromium"

func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skipf("headless Chromium is not installed, so the HTML report's rendering is not checked; install it with %q (Debian package chromium)", chromiumInstall)
	return ""
}

// screenshot renders an HTML file in headless Chromium, with networking off, and decodes
// the PNG.
func screenshot(t *testing.T, chromium, page string) image.Image {
	t.Helper()
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--force-color-profile=srgb",
		"--proxy-server=127.0.0.1:9", // nothing can be fetched: the page must be self-contained
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1200,1600", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// colourArea is where a colour shows in an image, and how many pixels have it exactly.
type colourArea struct {
	pixels int
	box    image.Rectangle
}

func findColour(t *testing.T, img image.Image, hex string) colourArea {
	t.Helper()
	var want color.RGBA
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &want.R, &want.G, &want.B); err != nil {
		t.Fatalf("colour %q: %v", hex, err)
	}
	var a colourArea
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(bl>>8) == want.B {
				p := image.Rect(x, y, x+1, y+1)
				if a.pixels == 0 {
					a.box = p
				} else {
					a.box = a.box.Union(p)
				}
				a.pixels++
			}
		}
	}
	return a
}

func TestHTMLReportRendersInChromium(t *testing.T) {
	chromium := findChromium(t)
	r, _ := buildFixtureReport(t, Options{})
	page := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, r, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	img := screenshot(t, chromium, page)

	// The daily chart: one colour per control (CC1.3, CC6.1, CC6.8, CC7.3), bars for 03-02
	// and 03-04 across the chart's width.
	var daily image.Rectangle
	for i, control := range []string{"CC1.3", "CC6.1", "CC6.8", "CC7.3"} {
		a := findColour(t, img, controlColors[i])
		if a.pixels < 500 {
			t.Errorf("daily chart: %d pixels of %s's colour %s, want a rendered bar", a.pixels, control, controlColors[i])
			continue
		}
		daily = daily.Union(a.box)
	}
	if daily.Dx() < 400 || daily.Dy() < 150 {
		t.Errorf("daily chart bars span %v, want bars spread over the chart", daily)
	}
	// The policies chart below it: deny, warn and audit segments.
	var top image.Rectangle
	for _, action := range actionOrder {
		a := findColour(t, img, actionColors[action])
		if a.pixels < 100 {
			t.Errorf("policies chart: %d pixels of the %s colour %s, want a rendered bar", a.pixels, action, actionColors[action])
			continue
		}
		top = top.Union(a.box)
	}
	if !daily.Empty() && !top.Empty() && top.Min.Y <= daily.Max.Y {
		t.Errorf("policies chart %v is not below the daily chart %v", top, daily)
	}
	if t.Failed() {
		keep := filepath.Join(os.TempDir(), "govhook-report-screenshot.png")
		if out, err := os.Create(keep); err == nil {
			_ = png.Encode(out, img)
			out.Close()
			t.Logf("screenshot kept at %s", keep)
		}
	}
}
