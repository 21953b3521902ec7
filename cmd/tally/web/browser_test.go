package web_test

// The billing page driven in a real browser: Debian's Chromium, headless,
// through the DevTools protocol (chromedp), against the tally binary built
// from this tree (SQLite store, sandbox gateway, the page's own development
// sign-in). Every step waits on a condition of the page, never on a clock.
//
// Each main screen is saved as a PNG in $TALLY_SCREENSHOTS (default
// cmd/tally/web/screenshots/, which git ignores); the test logs the paths.
//
// Chromium is /usr/bin/chromium or `chromium` on PATH ($CHROMIUM names
// another). Without it the test skips, except under CI (CI set), where it
// fails: .ci/run installs Debian's chromium package.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/chromedp/chromedp/kb"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

func TestMain(m *testing.M) { tallytest.Main(m) }

// stepTimeout bounds one scenario, so that a page that never reaches a
// condition fails the test instead of hanging it. It is a limit, not an
// assertion: every wait ends as soon as its condition holds.
const stepTimeout = 60 * time.Second

// chromiumPath finds Chromium, or skips (fails under CI) without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium"}
	if p, err := exec.LookPath("chromium"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is missing (no /usr/bin/chromium, no chromium on PATH): CI must run the browser tests; .ci/run installs Debian's chromium package")
	}
	t.Skip("skipping the browser tests: no Chromium (apt-get install chromium, or set CHROMIUM to its path)")
	return ""
}

// screenshots is where the PNGs go.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TALLY_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// page is one browser tab on the billing page.
type page struct {
	t    *testing.T
	ctx  context.Context // the tab's context: no deadline
	dir  string          // screenshots
	base string          // http://localhost:PORT
}

// step runs actions with the scenario's time limit.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(err)
	}
}

// fail reports err with what the tab shows.
func (p *page) fail(err error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	p.shot("failure-" + regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(p.t.Name()), "-"))
	p.t.Fatalf("%v\nat %s the page shows:\n%s", err, loc, text)
}

// waitFor polls a JavaScript expression until it is truthy.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")", chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		p.fail(fmt.Errorf("waiting for %s (%s): %w", what, expr, err))
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](p *page, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		p.fail(fmt.Errorf("evaluating %s: %w", expr, err))
	}
	return v
}

// text is the trimmed text of the first element sel matches, once visible.
func (p *page) text(sel string) string {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	return strings.TrimSpace(eval[string](p, fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
}

// typeInto replaces a field's value by typing, so that the page's input
// handlers see it.
func (p *page) typeInto(sel, value string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	eval[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ""; e.dispatchEvent(new Event("input", { bubbles: true })) })()`, sel))
	p.do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// fill sets a field's value at once and fires its input event, for fields
// whose handler rewrites what is typed (a number field clamps an empty
// value to 1 while one types).
func (p *page) fill(sel, value string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	eval[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", { bubbles: true })) })()`, sel, value))
}

// choose selects value in a <select> and fires its change event.
func (p *page) choose(sel, value string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	ok := eval[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector(%q);
		if (![...s.options].some(o => o.value === %q)) return false;
		s.value = %q; s.dispatchEvent(new Event("change", { bubbles: true })); return true })()`, sel, value, value))
	if !ok {
		p.fail(fmt.Errorf("%s has no option %q", sel, value))
	}
}

// click clicks the first element sel matches, once visible.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// tab opens one of the page's tabs by its id (balance, buy, orders, …).
func (p *page) tab(id string) {
	p.t.Helper()
	p.click("#tab-" + id)
	p.waitFor("the "+id+" tab", fmt.Sprintf(`document.querySelector("#tab-%s[aria-selected=true]") && document.querySelector("#panel-%s")`, id, id))
}

// shot saves a full-page PNG as name.png and logs its path.
func (p *page) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		p.t.Errorf("screenshot %s is not a PNG", name)
		return
	}
	path := filepath.Join(p.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p.t.Logf("screenshot: %s", path)
}

// signIn uses the page's development sign-in as email.
func (p *page) signIn(email string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + "/billing"))
	p.typeInto("#dev-email", email)
	p.click(`form[aria-labelledby="mint-h"] button[type=submit]`)
	p.waitFor("the signed-in page", `document.querySelector(".who") && document.querySelector(".who").innerText.includes(`+strconv.Quote(email)+`)`)
}

// credits reads a number the page formats as "12,345".
func credits(t *testing.T, s string) int64 {
	t.Helper()
	digits := regexp.MustCompile(`[^0-9]`).ReplaceAllString(s, "")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		t.Fatalf("%q is not a number of credits", s)
	}
	return n
}

// waitLive waits until the page says its balanceUpdated subscription is
// started on a connected socket (data-live on the balance card), so that a
// change made next is pushed to the page.
func (p *page) waitLive() {
	p.t.Helper()
	p.waitFor("the live balance subscription", `document.querySelector('[data-testid="balance-card"][data-live="subscribed"]')`)
}

func TestBillingPageInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	dir := screenshots(t)

	// A development server: the public development secret (no
	// TALLY_JWT_SECRET), so the page mints its own sign-in tokens; the
	// sandbox gateway; SQLite. The browser reaches it as localhost, its
	// default public URL, so the hosted confirm page sends the buyer back.
	srv := tallytest.StartReady(t, []string{
		"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_SANDBOX=on",
		"TALLY_LOG_LEVEL=warn",
		"TALLY_RATE_LIMIT_PURCHASES_ORG=100000", "TALLY_RATE_LIMIT_PURCHASES_USER=100000",
		"TALLY_RATE_LIMIT_DECLINES_ORG=100000",
	})
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://localhost:" + u.Port()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	// Start the browser with no deadline, so that a step's timeout ends
	// only that step.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}

	var owner *page
	var signupCredit, packCredits int64

	t.Run("sign in and see the sign-up credit", func(t *testing.T) {
		owner = &page{t: t, ctx: browserCtx, dir: dir, base: base}
		owner.do(chromedp.Navigate(base + "/billing"))
		owner.do(chromedp.WaitVisible(chromedp.CSS("#dev-email")))
		owner.shot("01-sign-in")
		owner.signIn("owner@example.com")

		// No org yet: create one, which brings the sign-up credit.
		owner.typeInto("#org-name", "Acme Browser GmbH")
		owner.typeInto("#org-country", "DE")
		owner.choose("#org-currency", "EUR")
		owner.shot("02-create-org")
		owner.click(`section[aria-labelledby="create-org-h"] button[type=submit]`)

		signupCredit = credits(t, owner.text(`[data-testid="balance-total"]`))
		if signupCredit <= 0 {
			t.Fatalf("balance %d after creating the org, want the sign-up credit", signupCredit)
		}
		if role := owner.text(`[data-testid="role"]`); role != "OWNER" {
			t.Fatalf("role %q, want OWNER", role)
		}
		if free := credits(t, owner.text(`[data-testid="chip-free"] .chip-value`)); free != signupCredit {
			t.Fatalf("Free chip %d, want the sign-up credit %d", free, signupCredit)
		}
		if paid := credits(t, owner.text(`[data-testid="chip-paid"] .chip-value`)); paid != 0 {
			t.Fatalf("Paid chip %d, want 0", paid)
		}
		owner.waitFor("the sign-up gift among the grants", `[...document.querySelectorAll("table tbody tr")].some(r => r.innerText.includes("Sign-up gift"))`)
		owner.shot("03-balance-signup-credit")
	})
	if owner == nil || t.Failed() {
		return
	}

	t.Run("buy a pack with 4242 and see the balance change live", func(t *testing.T) {
		owner.t = t
		// A mark on the window: a reload would drop it.
		eval[chromedp.Void](owner, `window.__tallyNoReload = true`)
		owner.tab("buy")
		owner.do(chromedp.WaitVisible(chromedp.CSS(`input[name=pack]:checked`)))
		packCredits = credits(t, eval[string](owner, `document.querySelector("input[name=pack]:checked").closest("label").querySelector(".pack-credits").innerText`))
		owner.choose("#buy-card", "4242424242424242")
		owner.shot("04-buy")

		// The balance in the header moves only with the balanceUpdated
		// subscription (the purchase does not reload it): wait until the
		// page says it is subscribed before paying.
		owner.waitLive()
		owner.click(`form.form button[type=submit]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="purchase-paid"]`)))
		want := signupCredit + packCredits
		owner.waitFor(fmt.Sprintf("the balance to reach %d", want),
			fmt.Sprintf(`document.querySelector('[data-testid="balance-total"]').innerText.replace(/[^0-9]/g, "") === "%d"`, want))
		if !eval[bool](owner, `window.__tallyNoReload === true`) {
			t.Fatal("the page reloaded: the balance must change live")
		}
		owner.shot("05-bought-4242")
		owner.tab("balance")
		owner.waitFor("the Paid chip", fmt.Sprintf(`document.querySelector('[data-testid="chip-paid"] .chip-value').innerText.replace(/[^0-9]/g, "") === "%d"`, packCredits))
		owner.shot("06-balance-after-purchase")
	})

	t.Run("pay with the 3-D Secure card on the hosted confirm page", func(t *testing.T) {
		owner.t = t
		owner.tab("buy")
		owner.choose("#buy-card", "4000002500003155")
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.click(`form.form button[type=submit]`)
		// The page sends the buyer to the sandbox's hosted page.
		owner.do(chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=pay]`)))
		if loc := eval[string](owner, `location.pathname`); !strings.HasPrefix(loc, "/sandbox/pay/") {
			t.Fatalf("confirm page at %s, want /sandbox/pay/…", loc)
		}
		owner.shot("07-3ds-confirm-page")
		owner.click(`button[name=action][value=pay]`)
		// Back on the billing page, which follows the order to PAID.
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="purchase-paid"]`)))
		if loc := eval[string](owner, `location.pathname`); loc != "/billing" && loc != "/billing/" {
			t.Fatalf("after the confirm page at %s, want /billing", loc)
		}
		want := before + packCredits
		owner.waitFor(fmt.Sprintf("the balance to reach %d", want),
			fmt.Sprintf(`document.querySelector('[data-testid="balance-total"]').innerText.replace(/[^0-9]/g, "") === "%d"`, want))
		owner.shot("08-3ds-paid")
	})

	t.Run("download the invoice PDF", func(t *testing.T) {
		owner.t = t
		downloads := t.TempDir()
		if _, err := chromedp.CallBrowser(browserCtx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: new(true),
		}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(browserCtx, stepTimeout)
		defer cancel()
		progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
		owner.tab("orders")
		sel := `button[aria-label^="Download invoice"]`
		owner.do(chromedp.WaitVisible(chromedp.CSS(sel)))
		if n := eval[int](owner, `document.querySelectorAll('button[aria-label^="Download invoice"]').length`); n != 2 {
			t.Fatalf("%d invoices listed, want 2 (two paid orders)", n)
		}
		owner.waitFor("two PAID orders", `[...document.querySelectorAll("table tbody tr")].filter(r => r.innerText.includes("PAID")).length === 2`)
		owner.shot("09-orders-invoices")
		owner.click(sel)

		var done browser.EventDownloadProgress
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("waiting for the download to complete: %v", err)
			}
			if ev.State == browser.DownloadProgressStateCompleted || ev.State == browser.DownloadProgressStateCanceled {
				done = ev
				break
			}
		}
		if done.State != browser.DownloadProgressStateCompleted {
			t.Fatalf("download %+v", done)
		}
		path := done.FilePath
		if path == "" {
			entries, _ := os.ReadDir(downloads)
			if len(entries) != 1 {
				t.Fatalf("%d files in the download directory", len(entries))
			}
			path = filepath.Join(downloads, entries[0].Name())
		}
		pdf, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("the downloaded invoice %s does not start with %%PDF-: %q", filepath.Base(path), pdf[:min(len(pdf), 32)])
		}
		if !strings.HasSuffix(path, ".pdf") {
			t.Errorf("downloaded as %s, want a .pdf name", filepath.Base(path))
		}
		owner.waitFor("the download confirmation", `[...document.querySelectorAll('[role=status]')].some(e => e.innerText.includes("Downloaded"))`)
		t.Logf("invoice PDF: %s, %d bytes", filepath.Base(path), len(pdf))
	})

	t.Run("a declined card shows why", func(t *testing.T) {
		owner.t = t
		owner.tab("buy")
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.choose("#buy-card", "4000000000000002")
		owner.click(`form.form button[type=submit]`)
		msg := owner.text(`.outcome [role=alert][data-code="PAYMENT_FAILED"]`)
		if !strings.Contains(strings.ToLower(msg), "declined") {
			t.Fatalf("decline message %q does not say the card was declined", msg)
		}
		if after := credits(t, owner.text(`[data-testid="balance-total"]`)); after != before {
			t.Fatalf("balance %d after a decline, want %d", after, before)
		}
		t.Logf("the page says: %q", msg)
		owner.shot("10-declined")
	})

	t.Run("spending shows live and beyond the balance is INSUFFICIENT_CREDITS", func(t *testing.T) {
		owner.t = t
		owner.tab("balance")
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.fill("#spend-amount", "1000")
		owner.click(`section[aria-labelledby="spend-h"] button[type=submit]`)
		// The header's balance follows the subscription.
		owner.waitFor(fmt.Sprintf("the balance to reach %d", before-1000),
			fmt.Sprintf(`document.querySelector('[data-testid="balance-total"]').innerText.replace(/[^0-9]/g, "") === "%d"`, before-1000))
		owner.fill("#spend-amount", strconv.FormatInt(before, 10))
		owner.click(`section[aria-labelledby="spend-h"] button[type=submit]`)
		msg := owner.text(`section[aria-labelledby="spend-h"] [role=alert][data-code="INSUFFICIENT_CREDITS"]`)
		if after := credits(t, owner.text(`[data-testid="balance-total"]`)); after != before-1000 {
			t.Fatalf("balance %d after a refused spend, want %d", after, before-1000)
		}
		t.Logf("the page says: %q", msg)
		owner.shot("11-insufficient-credits")
	})

	// The checkout: two packs into the cart, a quantity changed, one removed
	// by its Remove button, a draft changed behind the page's back refused
	// at Pay (CONFLICT, nothing charged) and shown again, then paid.
	var cartOrder string
	var cartCredits int64
	t.Run("the cart: add two packs, change a quantity, remove one", func(t *testing.T) {
		owner.t = t
		owner.tab("buy")
		owner.do(chromedp.WaitVisible(chromedp.CSS(`input[name=pack]`)))
		// Two packs that never expire (an add-on needs a subscription).
		n := eval[int](owner, `(() => { const ls = [...document.querySelectorAll("input[name=pack]")].filter(i => i.closest("label").innerText.includes("Never expires"));
			ls.forEach((i, k) => i.setAttribute("data-cart", String(k))); return ls.length })()`)
		if n < 2 {
			t.Fatalf("%d packs that never expire, want 2", n)
		}
		for k, want := range []string{"1 item", "2 items"} {
			owner.click(fmt.Sprintf(`input[name=pack][data-cart="%d"]`, k))
			owner.fill("#buy-qty", "1")
			owner.click(`[data-testid="add-to-cart"]`)
			owner.waitFor("the cart to hold "+want, fmt.Sprintf(`document.querySelector('[data-testid="cart-added"]') && document.querySelector('[data-testid="cart-added"]').innerText.includes(%q)`, want))
		}
		owner.shot("30-cart-packs-added")

		owner.tab("cart")
		owner.waitFor("two items in the cart", `document.querySelectorAll('[data-testid="cart-item"]').length === 2`)
		first := eval[string](owner, `document.querySelectorAll('[data-testid="cart-item"]')[0].querySelector(".cart-desc").innerText.trim()`)
		second := eval[string](owner, `document.querySelectorAll('[data-testid="cart-item"]')[1].querySelector(".cart-desc").innerText.trim()`)
		credits1 := eval[int64](owner, `Number(document.querySelectorAll('[data-testid="cart-item"]')[0].dataset.credits)`)
		owner.shot("31-cart-two-items")

		// Two of the first pack: its credits double.
		version := eval[string](owner, `document.querySelector('[data-testid="cart"]').dataset.version`)
		owner.click(fmt.Sprintf(`button[aria-label=%q]`, "One more: "+first))
		owner.waitFor("quantity 2 and a new version", fmt.Sprintf(`(() => { const f = document.querySelector('[data-testid="cart"]'), r = document.querySelectorAll('[data-testid="cart-item"]')[0];
			return f && f.dataset.version !== %q && r.querySelector("input[type=number]").value === "2" && Number(r.dataset.credits) === %d && f.getAttribute("aria-busy") === "false" })()`, version, 2*credits1))
		owner.shot("32-cart-quantity-changed")

		// The second pack out, by the Remove button named after it.
		owner.click(fmt.Sprintf(`button[aria-label=%q]`, "Remove "+second))
		owner.waitFor("one item left", `document.querySelectorAll('[data-testid="cart-item"]').length === 1 && document.querySelector('[data-testid="cart"]').getAttribute("aria-busy") === "false"`)
		if got := eval[string](owner, `document.querySelector('[data-testid="cart-item"] .cart-desc').innerText.trim()`); got != first {
			t.Fatalf("the item left is %q, want %q", got, first)
		}
		owner.shot("33-cart-item-removed")

		// The cart is the org's open draft: it is there again after a reload.
		owner.do(chromedp.Reload())
		owner.waitFor("the cart after a reload", fmt.Sprintf(`document.querySelector("#panel-cart") && document.querySelectorAll('[data-testid="cart-item"]').length === 1 && document.querySelector('[data-testid="cart-item"] input[type=number]').value === "2" && document.querySelector('[data-testid="cart-item"] .cart-desc').innerText.trim() === %q`, first))
	})
	if t.Failed() {
		return
	}

	// The draft as the server has it, read with the page's own session.
	serverDraft := func(p *page) map[string]string {
		return eval[map[string]string](p, `(async () => {
			const token = sessionStorage.getItem("tally.billing.token");
			const gql = async (query, variables) => (await fetch("/graphql", { method: "POST",
				headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
				body: JSON.stringify({ query, variables }) })).json();
			const v = await gql("{ viewer { memberships { org { id orders(first: 10, status: [DRAFT]) { edges { node { id version subtotal { amount currency } tax { amount currency } total { amount currency } items { id credits quantity } } } } } } } }");
			const o = v.data.viewer.memberships[0].org.orders.edges[0].node;
			const m = (x) => x.amount + " " + x.currency;
			return { id: o.id, version: String(o.version), subtotal: m(o.subtotal), tax: m(o.tax), total: m(o.total), items: String(o.items.length), item: o.items[0].id, credits: String(o.items[0].credits), quantity: String(o.items[0].quantity) };
		})()`, chromedp.EvalAwaitPromise)
	}

	t.Run("the cart shows the server's total and refuses a quote it did not show", func(t *testing.T) {
		owner.t = t
		owner.tab("cart")
		owner.waitFor("the cart", `document.querySelectorAll('[data-testid="cart-item"]').length === 1`)
		d := serverDraft(owner)
		for _, f := range []string{"subtotal", "tax", "total"} {
			if got := owner.text(`[data-testid="cart-` + f + `"]`); got != d[f] {
				t.Fatalf("the cart's %s is %q, the server's %q", f, got, d[f])
			}
		}
		if d["items"] != "1" || eval[string](owner, `document.querySelector('[data-testid="cart"]').dataset.version`) != d["version"] {
			t.Fatalf("the server's draft %v is not the one shown", d)
		}

		// Another session (here: a request outside the page) makes it three
		// packs; the page still shows two, and Pay must not pay that.
		eval[bool](owner, fmt.Sprintf(`(async () => {
			const token = sessionStorage.getItem("tally.billing.token");
			const r = await (await fetch("/graphql", { method: "POST",
				headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
				body: JSON.stringify({ query: "mutation($o: ID!, $i: ID!) { setOrderItemQuantity(orderId: $o, itemId: $i, quantity: 3) { version } }", variables: { o: %q, i: %q } }) })).json();
			return !r.errors })()`, d["id"], d["item"]), chromedp.EvalAwaitPromise)
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.choose("#cart-card", "4242424242424242")
		owner.click(`[data-testid="cart"] button[type=submit]`)
		msg := owner.text(`[data-testid="cart-conflict"]`)
		owner.waitFor("the cart shown again with 3 packs", `document.querySelector('[data-testid="cart-item"] input[type=number]') && document.querySelector('[data-testid="cart-item"] input[type=number]').value === "3"`)
		d = serverDraft(owner)
		if got := owner.text(`[data-testid="cart-total"]`); got != d["total"] {
			t.Fatalf("after the conflict the cart's total is %q, the server's %q", got, d["total"])
		}
		if got := eval[string](owner, `document.querySelector('[data-testid="cart"]').dataset.version`); got != d["version"] {
			t.Fatalf("after the conflict the cart shows version %s, the server has %s", got, d["version"])
		}
		if after := credits(t, owner.text(`[data-testid="balance-total"]`)); after != before {
			t.Fatalf("balance %d after a refused checkout, want %d", after, before)
		}
		t.Logf("the page says: %q", msg)
		owner.shot("34-cart-conflict")
	})
	if t.Failed() {
		return
	}

	t.Run("pay the cart with 4242 and see each item's credits", func(t *testing.T) {
		owner.t = t
		owner.tab("cart")
		d := serverDraft(owner)
		cartCredits, _ = strconv.ParseInt(d["credits"], 10, 64)
		if got := owner.text(`[data-testid="cart-total"]`); got != d["total"] {
			t.Fatalf("the cart's total is %q, the server's %q", got, d["total"])
		}
		owner.choose("#cart-card", "4242424242424242")
		owner.shot("35-cart-before-pay")
		owner.waitLive()
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.click(`[data-testid="cart"] button[type=submit]`)
		paid := owner.text(`[data-testid="cart-paid"]`)
		m := regexp.MustCompile(`Order (\S+) added`).FindStringSubmatch(paid)
		if m == nil {
			t.Fatalf("the paid notice %q names no order", paid)
		}
		cartOrder = m[1]
		owner.waitFor("the paid items", `document.querySelectorAll('[data-testid="cart-paid-items"] li').length === 1`)
		if got := eval[int64](owner, `Number(document.querySelector('[data-testid="cart-paid-items"] li').dataset.credits)`); got != cartCredits {
			t.Fatalf("the paid item shows %d credits, want %d", got, cartCredits)
		}
		want := before + cartCredits
		owner.waitFor(fmt.Sprintf("the balance to reach %d", want),
			fmt.Sprintf(`document.querySelector('[data-testid="balance-total"]').innerText.replace(/[^0-9]/g, "") === "%d"`, want))
		owner.shot("36-cart-paid")
	})
	if t.Failed() {
		return
	}

	t.Run("the cart's order has one invoice with a line per item", func(t *testing.T) {
		owner.t = t
		owner.tab("orders")
		sel := fmt.Sprintf(`[...document.querySelectorAll('[aria-labelledby="invoices-h"] .list > li')].filter(li => li.innerText.includes("order %s"))`, cartOrder)
		owner.waitFor("the cart's invoice", sel+`.length === 1`)
		if n := eval[int](owner, sel+`[0].querySelectorAll(".invoice-lines li").length`); n != 1 {
			t.Fatalf("the cart's invoice has %d lines, want 1 (one item)", n)
		}
		owner.waitFor("the cart's order PAID", fmt.Sprintf(`[...document.querySelectorAll('[aria-labelledby="orders-h"] tbody tr')].some(r => r.innerText.includes(%q) && r.innerText.includes("PAID"))`, cartOrder))
		owner.shot("37-cart-invoice")
	})

	t.Run("the tabs work from the keyboard", func(t *testing.T) {
		owner.t = t
		owner.tab("balance")
		owner.do(chromedp.Focus(chromedp.CSS("#tab-balance")), chromedp.KeyEvent(kb.ArrowRight))
		owner.waitFor("Buy credits selected by ArrowRight", `document.activeElement.id === "tab-buy" && document.querySelector("#tab-buy").getAttribute("aria-selected") === "true" && document.querySelector("#panel-buy")`)
		owner.do(chromedp.KeyEvent(kb.End))
		owner.waitFor("the last tab selected by End", `document.activeElement.id === "tab-plan" && document.querySelector("#tab-plan").getAttribute("aria-selected") === "true"`)
		owner.do(chromedp.KeyEvent(kb.Home))
		owner.waitFor("the first tab selected by Home", `document.activeElement.id === "tab-balance" && document.querySelector("#panel-balance")`)
	})

	t.Run("the members, API keys and plan screens load without an error", func(t *testing.T) {
		owner.t = t
		for i, id := range []string{"members", "keys", "plan"} {
			owner.tab(id)
			owner.waitFor("the "+id+" panel to load", `!document.querySelector(".panel").innerText.includes("Loading ")`)
			if alert := eval[string](owner, `[...document.querySelectorAll(".panel [role=alert]")].map(e => e.innerText).join(" | ")`); alert != "" {
				t.Errorf("the %s tab shows an error: %s", id, alert)
			}
			owner.shot(fmt.Sprintf("%02d-%s", 12+i, id))
		}
	})

	t.Run("save a card, subscribe and add a seat after their quotes", func(t *testing.T) {
		owner.t = t
		owner.tab("plan")
		// Payment methods: save the sandbox's 4242 card as the default.
		owner.choose("#pm-card", "4242424242424242")
		owner.click(`section[aria-labelledby="pm-h"] button[type=submit]`)
		owner.waitFor("the saved default card", `document.querySelector('[data-testid="payment-methods"]') && document.querySelector('[data-testid="payment-methods"]').innerText.includes("4242") && document.querySelector('[data-testid="payment-methods"]').innerText.includes("Default")`)
		owner.shot("18-payment-methods")

		// Subscribe to Personal (monthly) for one seat, paid with the saved card.
		sel := `input[name=plan][data-code="personal-monthly"]`
		owner.click(sel)
		name := eval[string](owner, `document.querySelector('input[name=plan][data-code="personal-monthly"]').closest("label").querySelector(".pack-name").innerText.trim()`)
		owner.fill("#plan-seats", "1")
		owner.click(`section[aria-labelledby="change-plan-h"] button[type=submit]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="quote"][data-kind="SUBSCRIBE"]`)))
		if total := owner.text(`[data-testid="quote-total"]`); !strings.HasSuffix(total, "EUR") {
			t.Fatalf("the subscribe quote's total %q is not in EUR", total)
		}
		owner.shot("19-plan-subscribe-quote")
		owner.click(`[data-testid="confirm-change"]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan-changed"]`)))
		owner.waitFor("the subscription ACTIVE on "+name, fmt.Sprintf(`(() => { const n = document.querySelector('[data-testid="plan-name"]'), s = document.querySelector('[data-testid="plan-status"]');
			return n && s && n.innerText.trim() === %q && s.innerText.trim() === "ACTIVE" && document.querySelector('[data-testid="plan-seats"]').innerText.trim() === "1" })()`, name))
		owner.shot("20-plan-subscribed")

		// Two seats: an ADD_SEATS quote charged now, then applied.
		owner.fill("#plan-seats", "2")
		owner.click(`section[aria-labelledby="change-plan-h"] button[type=submit]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="quote"][data-kind="ADD_SEATS"]`)))
		owner.shot("21-plan-seats-quote")
		owner.click(`[data-testid="confirm-change"]`)
		owner.waitFor("two seats", `document.querySelector('[data-testid="plan-seats"]') && document.querySelector('[data-testid="plan-seats"]').innerText.trim() === "2"`)
		owner.shot("22-plan-seats-added")
	})

	t.Run("top up 50.00 with the default saved card after its quote", func(t *testing.T) {
		owner.t = t
		owner.tab("buy")
		// The 50.00 preset, quoted before paying: credits, total, rounding.
		owner.click(`[data-testid="topup-form"] button[data-amount="50.00"]`)
		owner.waitFor("the 50.00 quote", `document.querySelector('[data-testid="topup-quote"]') && document.querySelector('[data-testid="topup-quote"]').innerText.includes("50.00 EUR buys")`)
		quoted := credits(t, owner.text(`[data-testid="topup-credits"]`))
		if quoted != 10_000_000 {
			t.Fatalf("50.00 EUR is quoted %d credits, want 10,000,000 (1,000,000 per 5.00)", quoted)
		}
		if total := owner.text(`[data-testid="topup-total"]`); total != "59.50 EUR" {
			t.Fatalf("quoted total %q, want 59.50 EUR (19%% DE tax)", total)
		}
		if r := owner.text(`[data-testid="topup-rounding"]`); !strings.Contains(r, "nothing is rounded") {
			t.Fatalf("rounding sentence %q", r)
		}
		if v := eval[string](owner, `document.querySelector("#topup-card").value`); v != "saved" {
			t.Fatalf("pay with %q, want the default saved card", v)
		}
		// A typed amount with a third decimal is refused as it is typed.
		owner.typeInto("#topup-amount", "12.345")
		owner.waitFor("the decimals hint", `document.querySelector("#topup-amount-help").innerText.includes("At most 2 decimals")`)
		owner.typeInto("#topup-amount", "50")
		owner.waitFor("the quote again", `document.querySelector('[data-testid="topup-credits"]')`)
		owner.shot("22c-topup-quote")

		owner.waitLive()
		before := credits(t, owner.text(`[data-testid="balance-total"]`))
		owner.click(`[data-testid="topup-form"] button[type=submit]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="topup-paid"]`)))
		want := before + quoted
		owner.waitFor(fmt.Sprintf("the balance to reach %d", want),
			fmt.Sprintf(`document.querySelector('[data-testid="balance-total"]').innerText.replace(/[^0-9]/g, "") === "%d"`, want))
		owner.shot("22d-topup-paid")
	})

	t.Run("cancel the subscription, then resume it", func(t *testing.T) {
		owner.t = t
		owner.tab("plan")
		// The page asks before canceling: answer yes.
		eval[chromedp.Void](owner, `window.confirm = () => true`)
		owner.click(`section[aria-labelledby="plan-h"] button.secondary`)
		owner.waitFor("the Resume button", `[...document.querySelectorAll('section[aria-labelledby="plan-h"] button')].some(b => b.innerText.includes("Resume"))`)
		if s := owner.text(`[data-testid="current-plan"] ~ p`); !strings.HasPrefix(s, "Ends") {
			t.Fatalf("after canceling the plan says %q, want it to end", s)
		}
		owner.shot("22b-plan-canceled")
		owner.click(`section[aria-labelledby="plan-h"] button.secondary`)
		owner.waitFor("the Cancel button back", `[...document.querySelectorAll('section[aria-labelledby="plan-h"] button')].some(b => b.innerText.includes("Cancel subscription"))`)
		if s := owner.text(`[data-testid="current-plan"] ~ p`); !strings.HasPrefix(s, "Renews") {
			t.Fatalf("after resuming the plan says %q, want it to renew", s)
		}
	})

	t.Run("usage bars are labelled progress bars", func(t *testing.T) {
		owner.t = t
		owner.tab("plan")
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="usage-bars"]`)))
		bad := eval[[]string](owner, `(() => {
			const bars = [...document.querySelectorAll('[data-testid="usage-bars"] [role=progressbar]')], out = [];
			if (bars.length !== 5) out.push(bars.length + " usage bars, want 5 (the plan limits every metric)");
			for (const b of bars) {
				const label = document.getElementById(b.getAttribute("aria-labelledby"));
				const now = Number(b.getAttribute("aria-valuenow")), max = Number(b.getAttribute("aria-valuemax"));
				if (!label || !label.innerText.trim()) out.push(b.dataset.testid + " has no label");
				if (!(max > 0) || !(now >= 0) || now > max) out.push(b.dataset.testid + " values " + now + " of " + max);
				if (!(b.getAttribute("aria-valuetext") || "").includes(" of ")) out.push(b.dataset.testid + " has no value text");
			}
			return out;
		})()`)
		if len(bad) > 0 {
			t.Fatalf("usage bars: %s", strings.Join(bad, "; "))
		}
		owner.do(chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="usage-bars"]`)))
		owner.shot("23-usage-bars")
	})

	t.Run("auto-recharge refuses a zero threshold by its code, then saves", func(t *testing.T) {
		owner.t = t
		owner.tab("plan")
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="ar-form"]`)))
		if !eval[bool](owner, `document.querySelector("#ar-enabled").checked`) {
			owner.click("#ar-enabled")
		}
		owner.choose("#ar-mode", "PACK")
		owner.fill("#ar-threshold", "0")
		owner.click(`[data-testid="ar-form"] button[type=submit]`)
		msg := owner.text(`[data-testid="ar-form"] [role=alert][data-code="INVALID_INPUT"]`)
		if !strings.Contains(msg, "threshold") {
			t.Fatalf("the refusal %q does not name the threshold", msg)
		}
		if !eval[bool](owner, `document.querySelector("#ar-threshold").getAttribute("aria-invalid") === "true"`) {
			t.Fatal("the threshold field is not marked invalid")
		}
		t.Logf("the page says: %q", msg)
		owner.shot("24-auto-recharge-refused")

		owner.fill("#ar-threshold", "500000")
		owner.click(`[data-testid="ar-form"] button[type=submit]`)
		owner.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="ar-saved"]`)))
		owner.waitFor("auto-recharge on below 500,000", `document.querySelector('[data-testid="ar-threshold"]') && document.querySelector('[data-testid="ar-threshold"]').innerText === "500,000"`)
		if n := eval[int](owner, `document.querySelectorAll('[data-testid="ar-form"] [role=alert]').length`); n != 0 {
			t.Fatalf("%d errors left after saving", n)
		}
		owner.shot("25-auto-recharge-saved")
	})

	t.Run("save a second card, make it the default, remove it", func(t *testing.T) {
		owner.t = t
		owner.tab("plan")
		eval[chromedp.Void](owner, `window.confirm = () => true`)
		const items = `document.querySelectorAll('[data-testid="payment-methods"] li')`
		owner.waitFor("one saved card", items+`.length === 1`)
		if eval[bool](owner, `document.querySelector('section[aria-labelledby="pm-h"] input[type=checkbox]').checked`) {
			owner.click(`section[aria-labelledby="pm-h"] input[type=checkbox]`)
		}
		owner.choose("#pm-card", "4242424242424242")
		owner.click(`section[aria-labelledby="pm-h"] button[type=submit]`)
		owner.waitFor("two saved cards, the first the default", items+`.length === 2 && `+items+`[0].innerText.includes("Default") && !`+items+`[1].innerText.includes("Default")`)
		owner.click(`[data-testid="payment-methods"] li:nth-child(2) button[aria-label^="Make"]`)
		owner.waitFor("the second card the default", `[...`+items+`].filter(li => li.innerText.includes("Default")).length === 1 && [...`+items+`].some(li => li.innerText.includes("Default") && !li.querySelector('button[aria-label^="Make"]'))`)
		owner.shot("27-payment-methods-two")
		// The default one is listed first: remove it.
		owner.click(`[data-testid="payment-methods"] li:nth-child(1) button[aria-label^="Remove"]`)
		owner.waitFor("one card left", items+`.length === 1`)
		if alert := eval[string](owner, `[...document.querySelectorAll('section[aria-labelledby="pm-h"] [role=alert]')].map(e => e.innerText).join(" | ")`); alert != "" {
			t.Fatalf("the payment methods show an error: %s", alert)
		}
	})

	t.Run("a MEMBER may not buy and sees why", func(t *testing.T) {
		owner.t = t
		owner.tab("members")
		owner.typeInto("#invite-email", "member@example.com")
		owner.choose("#invite-role", "MEMBER")
		owner.click(`form.inline button[type=submit]`)
		token := owner.text(`code.secret`)
		if !strings.HasPrefix(token, "tlyinv_") {
			t.Fatalf("invitation token %q", token)
		}
		owner.shot("15-members-invited")

		// The member: another tab, so another session.
		tabCtx, cancelTab := chromedp.NewContext(browserCtx)
		defer cancelTab()
		if err := chromedp.Do(tabCtx); err != nil { // opens the tab with no deadline
			t.Fatal(err)
		}
		member := &page{t: t, ctx: tabCtx, dir: dir, base: base}
		member.signIn("member@example.com")
		member.typeInto("#invitation-token", token)
		member.click(`section[aria-labelledby="join-org-h"] button[type=submit]`)
		if role := member.text(`[data-testid="role"]`); role != "MEMBER" {
			t.Fatalf("role %q, want MEMBER", role)
		}
		member.tab("buy")
		why := member.text(`#panel-buy [data-code="FORBIDDEN"]`)
		if !strings.Contains(why, "MEMBER") || !strings.Contains(why, "may not buy") {
			t.Fatalf("the refusal %q does not say the MEMBER role may not buy", why)
		}
		if n := eval[int](member, `document.querySelectorAll("#panel-buy form, #panel-buy button[type=submit]").length`); n != 0 {
			t.Fatalf("a MEMBER sees %d buy controls", n)
		}
		t.Logf("the page says: %q", why)
		member.shot("16-member-refused")

		// The server refuses too: the member's own session asks for a
		// pack as the page would, and gets FORBIDDEN.
		code := eval[string](member, `(async () => {
			const token = sessionStorage.getItem("tally.billing.token");
			const gql = async (query, variables) => (await fetch("/graphql", { method: "POST",
				headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
				body: JSON.stringify({ query, variables }) })).json();
			const v = await gql("{ viewer { memberships { org { id } } } packs(currency: EUR) { id custom } }");
			const r = await gql("mutation($in: PurchasePackInput!) { purchasePack(input: $in) { order { id } } }", { in: {
				orgId: v.data.viewer.memberships[0].org.id, packId: v.data.packs.find(p => !p.custom).id, quantity: 1,
				idempotencyKey: crypto.randomUUID(), paymentMethodId: "4242424242424242" } });
			return r.errors ? r.errors[0].extensions.code : "no error";
		})()`, chromedp.EvalAwaitPromise)
		if code != "FORBIDDEN" {
			t.Fatalf("a MEMBER's purchase answered %s, want FORBIDDEN", code)
		}

		// The plan tab: read, with the reason, and no controls that change it.
		member.tab("plan")
		why = member.text(`#panel-plan [data-testid="read-only"]`)
		if !strings.Contains(why, "MEMBER") {
			t.Fatalf("the plan tab's note %q does not name the MEMBER role", why)
		}
		member.do(chromedp.WaitVisible(chromedp.CSS(`#panel-plan [data-testid="plan-name"]`)))
		if n := eval[int](member, `document.querySelectorAll("#panel-plan form, #panel-plan button").length`); n != 0 {
			t.Fatalf("a MEMBER sees %d plan controls", n)
		}
		member.shot("26-member-plan-read-only")
	})

	t.Run("phone width renders without horizontal overflow", func(t *testing.T) {
		owner.t = t
		// 390×844, then loaded again as a phone would load it (the tab's
		// session keeps the sign-in).
		owner.do(chromedp.Emulate(device.IPhone12Pro), chromedp.Reload())
		defer owner.do(chromedp.EmulateReset())
		if w := eval[int](owner, `window.innerWidth`); w != 390 {
			t.Fatalf("viewport %d px wide, want 390", w)
		}
		for _, id := range []string{"balance", "buy", "cart", "orders", "members", "keys", "plan"} {
			owner.tab(id)
			owner.waitFor("the "+id+" panel to load", `!document.querySelector(".panel").innerText.includes("Loading ")`)
			// The outermost elements that stick out on the right and are
			// not clipped by a box that scrolls sideways (wide tables
			// scroll in their own box, which is fine; such a box clips a
			// positioned element only when it holds its containing block).
			over := eval[[]string](owner, `(() => {
				const w = document.documentElement.clientWidth, out = [];
				// clipped: an ancestor box that scrolls or clips sideways
				// contains e, and, for a positioned e, its containing block.
				const clipped = (e) => {
					const pos = getComputedStyle(e).position;
					if (pos === "fixed") return false;
					const cb = pos === "absolute" ? e.offsetParent : null;
					for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
						if (!["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) continue;
						if (pos !== "absolute" || (cb && a.contains(cb))) return true;
					}
					return false;
				};
				const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
				const offends = (e) => {
					const r = e.getBoundingClientRect();
					return r.width > 0 && r.right > w + 1 && !clipped(e);
				};
				for (const e of document.querySelectorAll("body *")) {
					if (!offends(e) || (e.parentElement && e.parentElement !== document.body && offends(e.parentElement))) continue;
					out.push(name(e) + " (" + getComputedStyle(e).position + ") ends at " + Math.round(e.getBoundingClientRect().right) + "px");
				}
				if (document.documentElement.scrollWidth > w) out.push("the document is " + document.documentElement.scrollWidth + "px wide");
				return out.slice(0, 10);
			})()`)
			if len(over) > 0 {
				t.Errorf("%s tab overflows a 390 px screen: %s", id, strings.Join(over, "; "))
			}
			if id == "balance" || id == "buy" || id == "cart" || id == "orders" || id == "plan" {
				owner.shot("17-phone-" + id)
			}
		}
	})
}
