package main

// B7 and B8: page loads in real headless Chromium (the tests' browser and
// flags), each on a fresh profile.
//
//   - B7, a repeat visit offline at 4× CPU slowdown: /en/ is opened online
//     until the service worker has kept the language offline; then the
//     network is cut (DevTools' offline emulation), the CPU slowed 4×, and
//     /en/ opened again: its first contentful paint, from the worker's cache.
//   - B8, a cold visit on DevTools' "Slow 3G" preset (2,000 ms latency,
//     50,000 bytes/s each way): the language picker's first contentful
//     paint, when its tiles (links in the first HTML) can be tapped. Their
//     icons may still be on the way.
//
// Each is the median of several runs.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
)

// newChromium starts headless Chromium with the flags the tests use and a
// fresh profile; stop ends it and removes the profile.
func newChromium(ctx context.Context, extra ...chromedp.ExecAllocatorOption) (tab context.Context, stop func(), err error) {
	profile, err := os.MkdirTemp("", "sova-bench-chromium-")
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(chrome.ExecPath()); err != nil {
		return nil, nil, fmt.Errorf("chromium not found at %s: install the Debian package chromium", chrome.ExecPath())
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome.ExecPath()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(360, 640),
	}, extra...)...)
	tab, cancelTab := chromedp.NewContext(actx)
	stop = func() { cancelTab(); cancelAlloc(); os.RemoveAll(profile) }
	if err := chromedp.Do(tab); err != nil { // starts the browser
		stop()
		return nil, nil, err
	}
	return tab, stop, nil
}

// fcp is the page's first contentful paint, in ms from navigation start.
const fcp = `(() => { const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? e.startTime : -1; })()`

// waitFCP polls until the page has painted and returns when it did.
func waitFCP(ctx context.Context) (time.Duration, error) {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fcp))
		if err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), nil
		}
	}
	return 0, fmt.Errorf("no first contentful paint within 60 s")
}

func median(xs []time.Duration) time.Duration {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func measurePageLoads(ctx context.Context, base string, rep *report) error {
	runs := 5
	if *quick {
		runs = 3
	}
	var b7, b8 []time.Duration
	for range runs {
		d, err := repeatVisitOffline(ctx, base)
		if err != nil {
			return fmt.Errorf("B7: %w", err)
		}
		b7 = append(b7, d)
		if d, err = coldVisitSlow3G(ctx, base); err != nil {
			return fmt.Errorf("B8: %w", err)
		}
		b8 = append(b8, d)
	}
	m7, m8 := median(b7), median(b8)
	rep.add("B7 repeat visit offline, 4× CPU slowdown (FCP)", "≤ 500 ms", fmt.Sprintf("%d ms (median of %d; %v)", m7.Milliseconds(), runs, ms(b7)), m7 <= 500*time.Millisecond)
	rep.add("B8 cold visit, Slow 3G (language tiles tappable)", "≤ 2.5 s", fmt.Sprintf("%.2f s (median of %d; %v)", m8.Seconds(), runs, ms(b8)), m8 <= 2500*time.Millisecond)
	return nil
}

func ms(xs []time.Duration) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%d", x.Milliseconds())
	}
	return s + " ms"
}

func repeatVisitOffline(ctx context.Context, base string) (time.Duration, error) {
	tab, stop, err := newChromium(ctx)
	if err != nil {
		return 0, err
	}
	defer stop()
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/en/")); err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ready, err := chromedp.Run(tab, chromedp.Evaluate[bool](`!!document.body.dataset.offline`))
		if err == nil && ready {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the service worker did not keep /en/ offline within 60 s")
		}
	}
	if err := throttle(tab, network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		return 0, err
	}
	if _, err := chromedp.Call(tab, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4}); err != nil {
		return 0, err
	}
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/en/")); err != nil {
		return 0, err
	}
	if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`!!document.querySelector('main.home .tiles a.tile')`)); err != nil || !ok {
		return 0, fmt.Errorf("the home page did not open offline (%v)", err)
	}
	return waitFCP(tab)
}

func coldVisitSlow3G(ctx context.Context, base string) (time.Duration, error) {
	tab, stop, err := newChromium(ctx)
	if err != nil {
		return 0, err
	}
	defer stop()
	// DevTools' "Slow 3G": 400 ms × 5 latency, 500 kbit/s × 0.8 each way.
	if err := throttle(tab, network.Conditions{Latency: 2000, DownloadThroughput: 50000, UploadThroughput: 50000}); err != nil {
		return 0, err
	}
	// Navigate waits for the load event; the paint came long before.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/")); err != nil {
		return 0, err
	}
	if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelectorAll('a.tile').length > 1`)); err != nil || !ok {
		return 0, fmt.Errorf("the picker has no language tiles (%v)", err)
	}
	return waitFCP(tab)
}

// throttle applies network conditions to every request of the tab, the
// service worker's included.
func throttle(tab context.Context, c network.Conditions) error {
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	worker := true
	_, err := chromedp.Call(tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &worker, MatchedNetworkConditions: []*network.Conditions{&c},
	})
	if err != nil {
		return err
	}
	_, err = chromedp.Call(tab, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: c.Offline, Latency: c.Latency, DownloadThroughput: c.DownloadThroughput, UploadThroughput: c.UploadThroughput,
	})
	return err
}
