using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.Tests;
using ComplianceBot.Tests.AccessReviews;

namespace ComplianceBot.Benchmarks.AccessReviews;

/// <summary>
/// Access review measurements: import of 5,000 accounts (tagged against a previous 5,000-account review) and rendering
/// one page of decisions through a full chat turn. A bounded runner (not BenchmarkDotNet): the machine is shared, so it
/// runs a fixed, small number of iterations through the real host (BotApplication from the tests) and prints min / median / max.
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- access-reviews [iterations]
/// </summary>
public static class AccessReviewRunner
{
    /// <param name="args">The arguments after the runner name: [iterations (5)].</param>
    public static async Task RunAsync(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        const int Accounts = AccessReviewScaleTests.Accounts;
        const string Reviewer = "aisha.khan@acme.example";

        await using var app = new BotApplication();
        var admin = app.CreateAdminClient();
        var chat = app.CreateClient();

        async Task<int> ImportAsync(string period, string csv)
        {
            var response = await admin.PostAsync($"/api/admin/access-reviews?system=GitHub&period={period}", new StringContent(csv, Encoding.UTF8, "text/csv"));
            response.EnsureSuccessStatusCode();
            var draft = await response.Content.ReadFromJsonAsync<JsonElement>();
            var id = draft.GetProperty("id").GetInt32();
            // An import is a draft; starting it (with the proposed binding) is what makes it the next review's baseline.
            (await admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start", new { control = draft.GetProperty("controlId").GetString(), reviewer = draft.GetProperty("reviewer").GetString() }))
                .EnsureSuccessStatusCode();
            return id;
        }

        async Task<string> PageAsync(int review, int page)
        {
            var response = await chat.PostAsJsonAsync("/api/chat", new
            {
                user = Reviewer,
                action = new { id = "access.page", data = new Dictionary<string, string> { ["review"] = $"{review}", ["page"] = $"{page}" } },
            });
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync();
        }

        var baseline = AccessReviewScaleTests.Export(Accounts);
        var changed = AccessReviewScaleTests.Export(Accounts, changedEvery: 100);
        await ImportAsync("2019-Q4", baseline); // warm-up: JIT, EF model, SQLite pages

        var imports = new List<double>();
        var reviewIds = new List<int>();
        for (var i = 0; i < iterations; i++)
        {
            var period = $"{2020 + (i / 4)}-Q{(i % 4) + 1}";
            var watch = Stopwatch.StartNew();
            reviewIds.Add(await ImportAsync(period, i % 2 == 0 ? changed : baseline));
            imports.Add(watch.Elapsed.TotalMilliseconds);
        }

        var review = reviewIds[^1];
        await PageAsync(review, 1);
        var pages = new List<double>();
        var bytes = 0;
        for (var i = 0; i < iterations * 10; i++)
        {
            var watch = Stopwatch.StartNew();
            bytes = (await PageAsync(review, 1 + (i * 37 % 500))).Length;
            pages.Add(watch.Elapsed.TotalMilliseconds);
        }

        var bulk = new List<double>();
        foreach (var id in reviewIds)
        {
            var watch = Stopwatch.StartNew();
            var response = await chat.PostAsJsonAsync("/api/chat", new
            {
                user = Reviewer,
                action = new { id = "access.keep-all", data = new Dictionary<string, string> { ["review"] = $"{id}", ["page"] = "1" } },
            });
            response.EnsureSuccessStatusCode();
            bulk.Add(watch.Elapsed.TotalMilliseconds);
        }

        static string Stats(List<double> ms)
        {
            var sorted = ms.Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"n={sorted.Count} min={sorted[0]:F1} ms median={sorted[sorted.Count / 2]:F1} ms max={sorted[^1]:F1} ms");
        }

        Console.WriteLine($"Import of {Accounts} accounts (POST /api/admin/access-reviews, tagged against {Accounts} previous): {Stats(imports)}");
        Console.WriteLine($"Render one page of 10 decisions (POST /api/chat access.page, full turn): {Stats(pages)}; response {bytes} bytes");
        Console.WriteLine($"Bulk keep of the unchanged, unflagged accounts (set-based, one audit event): {Stats(bulk)}");
    }
}
