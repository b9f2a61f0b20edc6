using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Text;
using ComplianceBot.LoadTesting;
using ComplianceBot.People;
using ComplianceBot.Tests;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Fakes;
using Microsoft.Bot.Builder.Skills;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;

namespace ComplianceBot.Benchmarks.Teams;

/// <summary>
/// What Bot Connector token validation costs per activity: "help" messages on POST /api/messages at a fixed concurrency
/// for a fixed time after a warm-up, on an anonymous host (Development, no MicrosoftAppId: TeamsApplication) and on an
/// authenticated one (AuthenticatedTeamsApplication: JWT signature, issuer, audience, lifetime, serviceurl claim and key
/// endorsements checked by the Bot Framework SDK against the fake's OpenID metadata, keys cached).
/// <para>
/// Why in-process: a host in its own process with MicrosoftAppId would get its outbound tokens through MSAL from a real
/// authority; the tests' host swaps in <see cref="FakeConnectorCredentials"/>, and both modes run through the same
/// WebApplicationFactory host and the same <see cref="FakeBotConnector"/> (HTTPS on 127.0.0.1), so the only difference
/// is authentication. Absolute numbers are therefore not TeamsLoad's (no Kestrel in front, workstation GC, load
/// generator and fake connector in the same process); the difference between the modes is the point.
/// </para>
/// <para>
/// Why both hosts run side by side and take turns in one-second slices (A B B A …) for the warm-up and the measurement:
/// run one after the other, whichever host ran second came out much faster — the first one pays for tiering up the
/// code both share, which on two loaded cores takes tens of seconds — and the other developers' builds come and go.
/// Alternating gives both modes the same process, JIT state and machine load; the A B B A order cancels a steady drift.
/// </para>
/// <para>
/// BotFrameworkAuthentication.AuthenticateRequestAsync is also timed by itself: in the load (thread CPU around each call,
/// <see cref="TimedAuthentication"/>) and alone afterwards (back to back on one thread), to tell the validation's own
/// cost from the rest of the difference.
/// </para>
/// Tokens are minted up front (a pool of distinct ones, each reused: the Bot Connector too sends one token for many
/// activities during its lifetime), so minting is not measured. Every activity's reply must reach the fake connector
/// exactly once as an Adaptive Card, with the bot's own token in authenticated mode and none in anonymous mode, and no
/// connection may leave loopback; otherwise the run fails (exit code 2).
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- teams-auth [concurrency] [seconds] [warmupSeconds]
/// </summary>
public static class TeamsAuthRunner
{
    private const int TokenPoolSize = 256;
    private const string IdPlaceholder = "@ACTIVITY-ID@";
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    /// <param name="args">The arguments after the runner name: [concurrency (32)] [seconds (10)] [warmupSeconds (10)], each per mode.</param>
    /// <returns>0 when every activity was answered and nothing left the machine; 2 otherwise.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var warmup = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        if (concurrency < 1 || seconds <= 0 || warmup < 0)
        {
            Console.Error.WriteLine("usage: teams-auth [concurrency >= 1] [seconds > 0] [warmupSeconds >= 0]");
            return 1;
        }

        // Started before any host: records every outgoing connect and DNS lookup of this process.
        using var network = new NetworkWatch();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"teams-auth: \"help\" on POST /api/messages, in-process hosts, concurrency={concurrency}, per mode {seconds:0.#} s measured after {warmup:0.#} s warm-up, modes alternating in {Slice.TotalSeconds:0.#} s slices (machine cores {Environment.ProcessorCount}, load average {LoadAverage()})"));

        await using var anonymous = await Mode.StartAsync(authenticated: false, concurrency);
        await using var authenticated = await Mode.StartAsync(authenticated: true, concurrency);
        foreach (var (mode, duration) in Alternate(anonymous, authenticated, TimeSpan.FromSeconds(warmup)))
        {
            await mode.RunSliceAsync(duration, measure: false);
        }

        foreach (var (mode, duration) in Alternate(anonymous, authenticated, TimeSpan.FromSeconds(seconds)))
        {
            await mode.RunSliceAsync(duration, measure: true);
        }

        await anonymous.FinishAsync();
        await authenticated.FinishAsync();
        Console.WriteLine(anonymous.Report());
        Console.WriteLine(authenticated.Report());

        var cpuDelta = authenticated.CpuMsPerActivity - anonymous.CpuMsPerActivity;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"authenticated - anonymous under load: cpu per activity {cpuDelta:+0.000;-0.000} ms ({cpuDelta / anonymous.CpuMsPerActivity:+0.0%;-0.0%}), allocated {authenticated.AllocatedKbPerActivity - anonymous.AllocatedKbPerActivity:+0;-0} KB and gc pause {authenticated.GcPauseMsPerActivity - anonymous.GcPauseMsPerActivity:+0.000;-0.000} ms per activity, throughput {authenticated.Throughput / anonymous.Throughput - 1:+0.0%;-0.0%}, p50 {authenticated.Latency.At(50) - anonymous.Latency.At(50):+0.0;-0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"authenticated - anonymous, AuthenticateRequestAsync: {authenticated.AuthenticateInLoadMicroseconds - anonymous.AuthenticateInLoadMicroseconds:+0.0;-0.0} µs thread CPU per call in the load; alone {authenticated.Alone.CpuMicroseconds - anonymous.Alone.CpuMicroseconds:+0.0;-0.0} µs CPU and {authenticated.Alone.AllocatedKb - anonymous.Alone.AllocatedKb:+0.0;-0.0} KB per call"));
        Console.WriteLine($"network: {network.Summary()}");

        var problems = anonymous.Problems().Concat(authenticated.Problems()).Concat(network.Problems()).ToList();
        foreach (var problem in problems)
        {
            Console.Error.WriteLine("FAILED: " + problem);
        }

        return problems.Count == 0 ? 0 : 2;
    }

    /// <summary>Slices of about <see cref="Slice"/> adding up to <paramref name="total"/> per mode, in the order A B B A A B …</summary>
    private static IEnumerable<(Mode Mode, TimeSpan Duration)> Alternate(Mode a, Mode b, TimeSpan total)
    {
        var slices = (int)Math.Ceiling(total / Slice);
        for (var i = 0; i < slices; i++)
        {
            var duration = total / slices;
            yield return (i % 2 == 0 ? a : b, duration);
            yield return (i % 2 == 0 ? b : a, duration);
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>One host (anonymous or authenticated) with its fake connector, its load workers and what they measured.</summary>
    private sealed class Mode : IAsyncDisposable
    {
        private readonly TeamsApplication _app;
        private readonly bool _authenticated;
        private readonly string[] _templates;
        private readonly string[]? _tokens;
        private readonly HttpClient _client;
        private readonly ReplyCheck _replies;
        private readonly CancellationTokenSource _stopDraining = new();
        private readonly Task _draining;
        private readonly ConcurrentDictionary<string, bool> _sent = new();
        private readonly List<double> _latencies = [];
        private readonly List<double> _sliceCpu = [];
        private HttpStatusCode? _withoutToken;
        private int _failures;
        private int _next = -1;
        private int _count;
        private double _seconds;
        private double _cpuMs;
        private long _allocated;
        private TimeSpan _gcPause;
        private (long Nanoseconds, int Timed, int Calls) _authenticate;

        private Mode(TeamsApplication app, bool authenticated, string[] templates, string[]? tokens)
        {
            _app = app;
            _authenticated = authenticated;
            _templates = templates;
            _tokens = tokens;
            _client = app.CreateClient();
            // The fake keeps every call with its parsed body; drain it as we go so a long run does not hold them all.
            _replies = new ReplyCheck(app.Connector, authenticated);
            _draining = _replies.DrainWhileAsync(_stopDraining.Token);
        }

        private string Name => _authenticated ? "authenticated" : "anonymous";

        public double CpuMsPerActivity => _cpuMs / _count;

        public double AllocatedKbPerActivity => _allocated / 1024.0 / _count;

        /// <summary>Time the garbage collector had the process paused, per activity (part of the CPU, spent on one thread).</summary>
        public double GcPauseMsPerActivity => _gcPause.TotalMilliseconds / _count;

        public double Throughput => _count / _seconds;

        public Percentiles Latency => new(_latencies);

        public (double CpuMicroseconds, double AllocatedKb) Alone { get; private set; }

        /// <summary>Thread CPU of AuthenticateRequestAsync per call during the measured slices (NaN where it cannot be read).</summary>
        public double AuthenticateInLoadMicroseconds => _authenticate.Timed == 0 ? double.NaN : _authenticate.Nanoseconds / 1000.0 / _authenticate.Timed;

        public static async Task<Mode> StartAsync(bool authenticated, int concurrency)
        {
            var app = authenticated ? new AuthenticatedTeamsApplication() : new TeamsApplication();
            var configureTeams = app.ConfigureTestServices;
            app.ConfigureTestServices = services =>
            {
                configureTeams?.Invoke(services);
                TimedAuthentication.Decorate(services);
            };
            try
            {
                app.Settings["Logging:LogLevel:Default"] = "Error";
                // Errors are collected (app.Logs) and reported as failures, not printed between the result lines.
                app.Settings["Logging:Console:LogLevel:Default"] = "None";
                var connector = app.Connector;

                // One Teams user and 1:1 conversation per worker (no two requests share a conversation's state row), each an
                // active person of the demo directory (someone who has left gets a one-line refusal instead of the help card).
                List<string> emails;
                await using (var scope = app.Scope())
                {
                    emails = await BotApplication.Db(scope).People.Where(p => p.Status == PersonStatus.Active)
                        .OrderBy(p => p.Email).Select(p => p.Email).ToListAsync();
                }

                var templates = new string[concurrency];
                for (var w = 0; w < concurrency; w++)
                {
                    app.AddMember($"29:load-{w}", $"aad-load-{w}", emails[w % emails.Count], $"Load {w}");
                    var activity = TeamsActivities.Message(connector.ServiceUrl, "help", $"29:load-{w}", $"aad-load-{w}");
                    activity["id"] = IdPlaceholder;
                    templates[w] = activity.ToJsonString();
                }

                // Distinct tokens (nbf/exp a second apart; RS256 signatures are deterministic), minted on the real clock,
                // which is what the SDK checks lifetimes against; the oldest still has 55 minutes to live.
                var tokens = authenticated
                    ? Enumerable.Range(0, TokenPoolSize).Select(i => connector.MintToken(TeamsApplication.AppId, connector.ServiceUrl, DateTimeOffset.UtcNow.AddSeconds(-i))).ToArray()
                    : null;
                var mode = new Mode(app, authenticated, templates, tokens);

                // With tokens required, a request without one must be refused, or we would be measuring an open door.
                if (authenticated)
                {
                    using var refused = await mode._client.PostAsync("/api/messages", new StringContent(mode.Activity(0, "act-without-token"), Encoding.UTF8, "application/json"));
                    mode._withoutToken = refused.StatusCode;
                    app.Logs.Entries.Clear(); // the SDK logs that refusal as an error; only errors after it count
                }

                // Each worker's user is linked once (roster lookup at the fake) before the warm-up.
                for (var w = 0; w < concurrency; w++)
                {
                    await mode.SendAsync(w);
                }

                return mode;
            }
            catch
            {
                app.Dispose(); // also takes the fake's certificate out of the trusted store again
                throw;
            }
        }

        private string Activity(int worker, string id) => _templates[worker].Replace(IdPlaceholder, id, StringComparison.Ordinal);

        private async Task SendAsync(int worker)
        {
            var id = $"act-{Guid.NewGuid():N}";
            _sent[id] = true;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
            {
                Content = new StringContent(Activity(worker, id), Encoding.UTF8, "application/json"),
            };
            if (_tokens is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[(uint)Interlocked.Increment(ref _next) % TokenPoolSize]);
            }

            using var response = await _client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _failures);
            }
        }

        /// <summary>All workers send "help" back to back until the slice ends; measured slices add to the totals.</summary>
        public async Task RunSliceAsync(TimeSpan duration, bool measure)
        {
            using var self = Process.GetCurrentProcess();
            var cpuBefore = self.TotalProcessorTime;
            var authentication = (TimedAuthentication)_app.Services.GetRequiredService<BotFrameworkAuthentication>();
            authentication.Take();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var gcPauseBefore = GC.GetTotalPauseDuration();
            var start = Stopwatch.GetTimestamp();
            var until = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var perWorker = await Task.WhenAll(Enumerable.Range(0, _templates.Length).Select(async w =>
            {
                var latencies = new List<double>();
                while (Stopwatch.GetTimestamp() < until)
                {
                    var sent = Stopwatch.GetTimestamp();
                    await SendAsync(w);
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }

                return latencies;
            }));
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            self.Refresh();
            if (!measure)
            {
                return;
            }

            var count = perWorker.Sum(l => l.Count);
            var cpuMs = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            _cpuMs += cpuMs;
            _allocated += GC.GetTotalAllocatedBytes() - allocatedBefore;
            _gcPause += GC.GetTotalPauseDuration() - gcPauseBefore;
            var timed = authentication.Take();
            _authenticate = (_authenticate.Nanoseconds + timed.Nanoseconds, _authenticate.Timed + timed.Timed, _authenticate.Calls + timed.Calls);
            _seconds += elapsed;
            _count += count;
            _sliceCpu.Add(cpuMs / count);
            _latencies.AddRange(perWorker.SelectMany(l => l));
        }

        public async Task FinishAsync()
        {
            await _stopDraining.CancelAsync();
            await _draining;
            _replies.Drain();
            Alone = await AuthenticateAloneAsync();
        }

        /// <summary>
        /// The SDK's request authentication by itself, on one thread with both hosts otherwise idle: CPU and allocation
        /// per call of the BotFrameworkAuthentication.AuthenticateRequestAsync that CloudAdapter calls for every activity
        /// (on the anonymous host it only finds that authentication is disabled), with caches as hot as they get.
        /// </summary>
        private async Task<(double CpuMicroseconds, double AllocatedKb)> AuthenticateAloneAsync()
        {
            var authentication = _app.Services.GetRequiredService<BotFrameworkAuthentication>();
            var activity = JsonConvert.DeserializeObject<Microsoft.Bot.Schema.Activity>(Activity(0, "act-authenticate-alone"))!;
            var calls = 0;

            async Task LoopAsync(TimeSpan duration)
            {
                var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < until)
                {
                    var header = _tokens is null ? "" : "Bearer " + _tokens[calls % _tokens.Length];
                    var result = await authentication.AuthenticateRequestAsync(activity, header, CancellationToken.None);
                    if (result.ClaimsIdentity is null)
                    {
                        throw new InvalidOperationException("AuthenticateRequestAsync returned no identity");
                    }

                    calls++;
                }
            }

            await LoopAsync(TimeSpan.FromSeconds(0.5));
            calls = 0;
            using var self = Process.GetCurrentProcess();
            var before = self.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            await LoopAsync(TimeSpan.FromSeconds(1.5));
            self.Refresh();
            return ((self.TotalProcessorTime - before).TotalMilliseconds * 1000 / calls, (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / calls);
        }

        public string Report()
        {
            var latency = Latency;
            var detail = _authenticated
                ? $"{TokenPoolSize} tokens reused, OpenID metadata + keys fetched {_app.Connector.IdentityFetches} times, a request without a token: {(int?)_withoutToken}"
                : "no tokens";
            return string.Create(CultureInfo.InvariantCulture,
                $"{Name,-13} activities={_count} in {_seconds:F1} s: {Throughput:F0}/s  latency ms p50={latency.At(50):F1} p99={latency.At(99):F1}  cpu per activity {CpuMsPerActivity:F3} ms (slices {_sliceCpu.Min():F3}-{_sliceCpu.Max():F3})  allocated {AllocatedKbPerActivity:F0} KB/activity  gc pause {GcPauseMsPerActivity:F3} ms/activity\n")
                + string.Create(CultureInfo.InvariantCulture,
                $"{"",-13} AuthenticateRequestAsync: {AuthenticateInLoadMicroseconds:F1} µs thread CPU per call in the load ({_authenticate.Timed} of {_authenticate.Calls} calls timed), alone {Alone.CpuMicroseconds:F1} µs CPU and {Alone.AllocatedKb:F1} KB per call\n")
                + string.Create(CultureInfo.InvariantCulture,
                $"{"",-13} Adaptive Card replies at the fake connector {_replies.Cards} of {_sent.Count} activities (warm-up included), {detail}");
        }

        public IEnumerable<string> Problems()
        {
            if (_withoutToken is { } status && status != HttpStatusCode.Unauthorized)
            {
                yield return $"{Name}: a request without a token got {(int)status}, not 401";
            }

            if (_failures > 0)
            {
                yield return $"{Name}: {_failures} requests did not get 200";
            }

            foreach (var problem in _replies.Problems(_sent.Keys))
            {
                yield return $"{Name}: {problem}";
            }

            var errors = _app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).ToList();
            if (errors.Count > 0)
            {
                yield return $"{Name}: the host logged {errors.Count} errors, the first: {errors[0].Message} {errors[0].Exception?.Message}";
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stopDraining.CancelAsync();
            await _draining;
            _stopDraining.Dispose();
            _client.Dispose();
            _app.Dispose();
        }
    }

    /// <summary>
    /// The host's BotFrameworkAuthentication (the SDK's, inside ReusedClientsAuthentication) with the calling thread's CPU
    /// time measured around AuthenticateRequestAsync: the validation's own cost per activity inside the loaded host, where
    /// it competes with the rest of the turn for caches. With the keys cached the call completes synchronously, so the
    /// thread that started it did all of its work; a call that completes later is counted but not timed. Linux only
    /// (CLOCK_THREAD_CPUTIME_ID); elsewhere nothing is timed.
    /// </summary>
    private sealed class TimedAuthentication(BotFrameworkAuthentication inner) : BotFrameworkAuthentication
    {
        private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID
        private long _nanoseconds;
        private int _timed;
        private int _calls;

        public static void Decorate(IServiceCollection services)
        {
            var registered = services.Last(d => d.ServiceType == typeof(BotFrameworkAuthentication));
            var factory = registered.ImplementationFactory ?? throw new InvalidOperationException("BotFrameworkAuthentication is expected to be registered with a factory");
            services.Remove(registered);
            services.AddSingleton<BotFrameworkAuthentication>(sp => new TimedAuthentication((BotFrameworkAuthentication)factory(sp)));
        }

        /// <summary>What was measured since the last call, and starts over.</summary>
        public (long Nanoseconds, int Timed, int Calls) Take() =>
            (Interlocked.Exchange(ref _nanoseconds, 0), Interlocked.Exchange(ref _timed, 0), Interlocked.Exchange(ref _calls, 0));

        public override Task<AuthenticateRequestResult> AuthenticateRequestAsync(Microsoft.Bot.Schema.Activity activity, string authHeader, CancellationToken cancellationToken)
        {
            var start = ThreadCpuNanoseconds();
            var task = inner.AuthenticateRequestAsync(activity, authHeader, cancellationToken);
            var end = ThreadCpuNanoseconds();
            Interlocked.Increment(ref _calls);
            if (task.IsCompleted && start > 0 && end > 0)
            {
                Interlocked.Add(ref _nanoseconds, end - start);
                Interlocked.Increment(ref _timed);
            }

            return task;
        }

        public override Task<AuthenticateRequestResult> AuthenticateStreamingRequestAsync(string authHeader, string channelIdHeader, CancellationToken cancellationToken) =>
            inner.AuthenticateStreamingRequestAsync(authHeader, channelIdHeader, cancellationToken);

        public override ConnectorFactory CreateConnectorFactory(ClaimsIdentity claimsIdentity) => inner.CreateConnectorFactory(claimsIdentity);

        public override Task<UserTokenClient> CreateUserTokenClientAsync(ClaimsIdentity claimsIdentity, CancellationToken cancellationToken) =>
            inner.CreateUserTokenClientAsync(claimsIdentity, cancellationToken);

        public override BotFrameworkClient CreateBotFrameworkClient() => inner.CreateBotFrameworkClient();

        public override string GetOriginatingAudience() => inner.GetOriginatingAudience();

        public override Task<ClaimsIdentity> AuthenticateChannelRequestAsync(string authHeader, CancellationToken cancellationToken) =>
            inner.AuthenticateChannelRequestAsync(authHeader, cancellationToken);

        private static long ThreadCpuNanoseconds() =>
            OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var time) == 0 ? (time.Seconds * 1_000_000_000) + time.Nanoseconds : 0;

        // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not allow.
        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }
    }

    /// <summary>
    /// The replies at the fake connector: each sent activity must be answered exactly once (a POST to
    /// /v3/conversations/{id}/activities/{activity id}) with an Adaptive Card carrying the bot's token (authenticated) or
    /// none (anonymous). Other calls (roster lookups, the bot's token request) are not replies.
    /// </summary>
    private sealed class ReplyCheck(FakeBotConnector connector, bool authenticated)
    {
        private const string Activities = "/activities/";
        private readonly Dictionary<string, int> _repliesTo = new(StringComparer.Ordinal);
        private readonly List<string> _unexpected = [];

        public int Cards { get; private set; }

        public async Task DrainWhileAsync(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    Drain();
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped after the run; the caller drains what is left.
            }
        }

        public void Drain()
        {
            while (connector.Calls.TryDequeue(out var call))
            {
                var at = call.Path.LastIndexOf(Activities, StringComparison.Ordinal);
                if (!call.Path.StartsWith("/v3/conversations/", StringComparison.Ordinal) || at < 0)
                {
                    continue;
                }

                var replyTo = call.Path[(at + Activities.Length)..];
                _repliesTo[replyTo] = _repliesTo.GetValueOrDefault(replyTo) + 1;
                var card = call.Method == "POST"
                    && call.Body?["attachments"]?[0] is { } attachment
                    && (string?)attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
                    && (string?)attachment["content"]?["type"] == "AdaptiveCard";
                var expectedAuthorization = authenticated ? $"Bearer {connector.IssuedToken}" : "";
                if (card && call.Authorization == expectedAuthorization)
                {
                    Cards++;
                }
                else if (_unexpected.Count < 3)
                {
                    _unexpected.Add($"{call.Method} {call.Path} authorization '{Shorten(call.Authorization)}': {Shorten(call.Body?.ToJsonString() ?? "")}");
                }
            }
        }

        public IEnumerable<string> Problems(ICollection<string> sent)
        {
            var missing = sent.Count(id => !_repliesTo.ContainsKey(id));
            if (missing > 0)
            {
                yield return $"{missing} of {sent.Count} activities got no reply at the fake connector";
            }

            var repeated = _repliesTo.Count(r => r.Value > 1);
            if (repeated > 0)
            {
                yield return $"{repeated} activities were answered more than once";
            }

            var stray = _repliesTo.Keys.Count(id => !sent.Contains(id));
            if (stray > 0)
            {
                yield return $"{stray} replies answer activities that were not sent";
            }

            foreach (var call in _unexpected)
            {
                yield return "a reply that is not the help card with the expected token: " + call;
            }
        }

        private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
    }

    /// <summary>
    /// Every socket connect and DNS lookup this process makes, from the runtime's own networking events: the fakes are
    /// on 127.0.0.1, so anything else (or any lookup of a name) would mean the benchmark touched the network.
    /// </summary>
    private sealed class NetworkWatch : EventListener
    {
        private readonly ConcurrentQueue<string> _connects = new();
        private readonly ConcurrentQueue<string> _lookups = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name is "System.Net.Sockets" or "System.Net.NameResolution")
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            var first = eventData.Payload is [var value, ..] ? value?.ToString() ?? "" : "";
            switch (eventData.EventName)
            {
                case "ConnectStart":
                    _connects.Enqueue(first);
                    break;
                case "ResolutionStart":
                    _lookups.Enqueue(first);
                    break;
            }
        }

        public string Summary()
        {
            var connects = _connects.ToList();
            var elsewhere = connects.Where(a => !IsLoopback(a)).ToList();
            return $"{connects.Count} outgoing connects, {connects.Count - elsewhere.Count} of them to loopback; {_lookups.Count} DNS lookups"
                + (elsewhere.Count > 0 ? $"; elsewhere: {string.Join(", ", elsewhere.Distinct())}" : "")
                + (_lookups.IsEmpty ? "" : $"; looked up: {string.Join(", ", _lookups.Distinct())}");
        }

        public IEnumerable<string> Problems()
        {
            if (_connects.Any(a => !IsLoopback(a)) || !_lookups.IsEmpty)
            {
                yield return "the process connected somewhere other than loopback or looked up a name: " + Summary();
            }
        }

        /// <summary>
        /// The runtime reports the SocketAddress as "InterNetwork:16:{port, port, a, b, c, d, …}" or
        /// "InterNetworkV6:28:{port, port, flow info ×4, address ×16, scope ×4}" (family bytes left out). Dual-mode
        /// sockets connect to 127.0.0.1 as ::ffff:127.0.0.1.
        /// </summary>
        private static bool IsLoopback(string socketAddress)
        {
            var parts = socketAddress.Split(':', 3);
            if (parts.Length < 3)
            {
                return false;
            }

            var bytes = parts[2].Trim('{', '}').Split(',').Select(b => byte.Parse(b, CultureInfo.InvariantCulture)).ToArray();
            var address = parts[0] switch
            {
                "InterNetwork" when bytes.Length >= 6 => new IPAddress(bytes.AsSpan(2, 4)),
                "InterNetworkV6" when bytes.Length >= 22 => new IPAddress(bytes.AsSpan(6, 16)),
                _ => null,
            };
            return address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        }
    }
}
