using BenchmarkDotNet.Running;
using ComplianceBot.Benchmarks.AccessReviews;
using ComplianceBot.Benchmarks.Ask;
using ComplianceBot.Benchmarks.ChangeApprovals;
using ComplianceBot.Benchmarks.OwnerLoop;
using ComplianceBot.Benchmarks.ProgramStatus;

using ComplianceBot.Benchmarks.Soak;
using ComplianceBot.Benchmarks.Teams;
using ComplianceBot.Benchmarks.Understanding;

// One benchmark project for the in-process measurements; the first argument picks the runner, the rest are its arguments.
// Each runner lives in its feature's folder (see bench/README.md):
//   latency [rounds] [--cold] [--threads]            Ask/: answer-latency percentiles after warm-up, index build time, memory
//   embedder [questions] [threads]                   Ask/: MiniLM fp32 against int8 weights: load, CPU per question, memory, cosine
//   access-reviews [iterations]                      AccessReviews/: 5,000-account import, page render, bulk keep through the real host
//   okta-import [iterations] [accounts]              AccessReviews/: a native 20,000-account Okta users report imported through the real host
//   owner-loop [iterations] [tasks] [attestations]   OwnerLoop/: reminder sweep, planning, sending, auditor export
//   audit-year [iterations]                          OwnerLoop/: auditor export of a 12-month audit period with 40 controls of mixed frequencies
//   change-approvals [changes] [concurrency]         ChangeApprovals/: change card at a fake Bot Connector, approvals/s through Teams
//   teams-auth [concurrency] [seconds] [warmup]      Teams/: "help" on /api/messages anonymous vs with Bot Connector tokens (CPU per activity)
//   soak [hosts] [kills] [slack] [teams] [attest] [uploads] [changes]  Soak/: Release hosts on PostgreSQL + Azurite, SIGKILLed mid-load; exactly-once checks
//   intents [rounds] [file.jsonl]                    Understanding/: per-message classification p50/p99 after warm-up, training time, memory added
//   status [iterations] [tasks]                     ProgramStatus/: GET /api/admin/status, /dashboard and chat "status" on 100k occurrences
//   anything else                                    BenchmarkDotNet (e.g. `-- --filter *AnswerLexical* --job short`)
// SlackLoad and TeamsLoad stay separate: they load a Release host in its own process over real Kestrel, and a generator that
// references neither the host nor the tests keeps its own startup, memory and CPU out of what it measures.
switch (args)
{
    case ["latency", .. var rest]:
        AskLatencyRunner.Run(rest);
        break;
    case ["embedder", .. var rest]:
        EmbedderRunner.Run(rest);
        break;
    case ["access-reviews", .. var rest]:
        await AccessReviewRunner.RunAsync(rest);
        break;
    case ["okta-import", .. var rest]:
        await OktaImportRunner.RunAsync(rest);
        break;
    case ["owner-loop", .. var rest]:
        await OwnerLoopRunner.RunAsync(rest);
        break;
    case ["audit-year", .. var rest]:
        await AuditYearRunner.RunAsync(rest);
        break;
    case ["change-approvals", .. var rest]:
        await ChangeApprovalsRunner.RunAsync(rest);
        break;
    case ["intents", .. var rest]:
        IntentLatencyRunner.Run(rest);
        break;
    case ["status", .. var rest]:
        await StatusRunner.RunAsync(rest);
        break;

    case ["soak", .. var rest]:
        return await SoakRunner.RunAsync(rest);
    case ["teams-auth", .. var rest]:
        return await TeamsAuthRunner.RunAsync(rest);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(AskBenchmarks).Assembly).Run(args);
        break;
}

return 0;
