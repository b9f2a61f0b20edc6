using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.ProgramStatus;
using ComplianceBot.Tests.ProgramStatus;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComplianceBot.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium driven by Playwright against the host on a real loopback port.
/// Screenshots go to artifacts/ beside the test assembly.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime, IDisposable
{
    private readonly BotApplication app = new();
    private Uri baseAddress = null!;

    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        baseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        await StatusData.SeedOctoberAsync(app);
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 14, 0, 0, TimeSpan.Zero));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task AnAdminSignsInAndSeesTheSameNumbersAsTheStatusApi()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, BaseURL = baseAddress.ToString() });

        await page.GotoAsync("dashboard?period=2026-Q4");
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("button[value='dana.reyes@acme.example']");
        await page.WaitForSelectorAsync("[data-metric='totals.expected']");
        Assert.EndsWith("/dashboard?period=2026-Q4", page.Url, StringComparison.Ordinal);

        using var client = app.CreateAdminClient();
        var report = (await client.GetFromJsonAsync<ProgramStatusReport>("api/admin/status?period=2026-Q4", JsonSerializerOptions.Web))!;

        Assert.Equal(report.Totals.Expected.ToString(), await Metric(page, "[data-metric='totals.expected']"));
        Assert.Equal(report.Totals.Done.ToString(), await Metric(page, "[data-metric='totals.done']"));
        Assert.Equal(report.Totals.Missed.ToString(), await Metric(page, "[data-metric='totals.missed']"));
        Assert.Equal($"{report.Totals.PercentDone}%", await Metric(page, "[data-metric='totals.percentDone']"));
        Assert.Equal(report.OverdueByOwner.Count.ToString(), await Metric(page, "[data-metric='overdue.people']"));
        foreach (var category in report.Categories)
        {
            Assert.Equal(category.Counts.Expected.ToString(), await Metric(page, $"tr[data-category='{category.Category}'] [data-metric='expected']"));
            Assert.Equal(category.Counts.Missed.ToString(), await Metric(page, $"tr[data-category='{category.Category}'] [data-metric='missed']"));
        }

        var hr03 = report.Controls.Single(c => c.ControlId == "HR-03");
        Assert.Equal(hr03.Counts.Missed.ToString(), await Metric(page, "tr[data-control='HR-03'] [data-metric='missed']"));
        var kevin = report.OverdueByOwner.Single(o => o.Email == "kevin.osei@acme.example");
        Assert.Equal(kevin.Overdue.ToString(), await Metric(page, "tr[data-owner='kevin.osei@acme.example'] [data-metric='overdue']"));
        Assert.True(await page.Locator("svg.chart").CountAsync() >= 2);

        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "dashboard.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(ArtifactsDirectory, "dashboard.png")).Length > 10_000);
    }

    [Fact]
    public async Task AWrongKeyIsRefusedAndTheAdminKeySignsIn()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { BaseURL = baseAddress.ToString() });

        await page.GotoAsync("dashboard/sign-in");
        await page.FillAsync("#key", "cbk_not-a-real-key");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form[action*='Key'] button"), r => r.Request.Method == "POST");
        Assert.Equal(401, refused.Status);
        Assert.Contains("unknown, revoked, expired", await page.Locator("[role=alert]").InnerTextAsync(), StringComparison.Ordinal);

        await page.FillAsync("#key", BotApplication.AdminKey);
        await page.ClickAsync("form[action*='Key'] button");
        await page.WaitForSelectorAsync("[data-metric='totals.expected']");
        Assert.Contains("break-glass:Admin:ApiKey", await page.Locator("form.who").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStatusCardRendersInTheWebChat()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 900, Height = 1100 }, BaseURL = baseAddress.ToString() });
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#who option[value='dana.reyes@acme.example']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#who", "dana.reyes@acme.example");
        await page.FillAsync("#text", "status");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("text=Program status — 2026-Q4");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDirectory, "status-card.png"), FullPage = true });
    }

    [Fact]
    public async Task WithoutSignInTheDashboardRedirectsToTheSignInPage()
    {
        // Playwright's request context over real HTTP, redirects not followed, no cookie: what an anonymous visitor gets.
        using var playwright = await Playwright.CreateAsync();
        var anonymous = await playwright.APIRequest.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        try
        {
            var page = await anonymous.GetAsync("dashboard?period=2026-Q4", new() { MaxRedirects = 0 });
            Assert.Equal((int)HttpStatusCode.Redirect, page.Status);
            Assert.StartsWith("/dashboard/sign-in", new Uri(baseAddress, page.Headers["location"]).PathAndQuery, StringComparison.Ordinal);
            Assert.Equal((int)HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/admin/status")).Status);
        }
        finally
        {
            await anonymous.DisposeAsync();
        }
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Debian's chromium (installed by .ci/run); Playwright's own browser download cannot work offline.
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium not found at {chromium}: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH).");
        return await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
    }

    private static async Task<string> Metric(IPage page, string selector) => (await page.Locator(selector).First.InnerTextAsync()).Trim();
}
