using ComplianceBot.AccessReviews;
using ComplianceBot.Admin;
using ComplianceBot.Ask;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Channels.Web;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.Dashboard;
using ComplianceBot.Data;
using ComplianceBot.Digest;
using ComplianceBot.Evidence;
using ComplianceBot.Export;
using ComplianceBot.Knowledge;
using ComplianceBot.Operations;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.People.Scim;
using ComplianceBot.ProgramStatus;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Understanding;

var builder = WebApplication.CreateBuilder(args);

// A wrong or missing database or storage setting stops the host with one line naming it, not a stack trace.
if (!builder.SettingsAreValid())
{
    return 2;
}

builder.AddData();
builder.Services.AddAdmin();
builder.Services.AddAudit();
builder.AddOperations();
builder.Services.AddConversations();
builder.Services.AddOutbox();
builder.Services.AddKnowledge();
builder.Services.AddPeople();
builder.Services.AddScim();
builder.Services.AddTasks();
builder.Services.AddProgramStatus();
builder.Services.AddDashboard();
builder.Services.AddChangeApprovals();
builder.Services.AddWebChat();
builder.Services.AddAttestations();
builder.Services.AddEvidence();
builder.Services.AddExport();
builder.Services.AddAccessReviews();
builder.Services.AddTeams();
builder.Services.AddAsk();
builder.Services.AddUnderstanding();
builder.Services.AddReminders();
builder.Services.AddDigest();
builder.Services.AddSlack();

var app = builder.Build();

// `eval intents <messages.jsonl>` scores the front door, `eval <questions.jsonl>` the Ask flow; both exit instead of serving.
if (args is ["eval", "intents", .. var intentArgs])
{
    return await app.RunIntentsCommandAsync(intentArgs);
}

// `embed-knowledge` writes the knowledge's vectors beside its files (at build time), so no host embeds them at start.
if (args is ["embed-knowledge"])
{
    return app.RunEmbedKnowledgeCommand();
}

if (args is ["eval", .. var evalArgs])
{
    return await app.RunCommandAsync(evalArgs);
}

// Migrate and import knowledge/ before serving: a bad knowledge file stops the host with its message. Ask's index
// (knowledge/ files only), MiniLM, the hybrid index and the hybrid intent head are built on the other core meanwhile.
var miniLm = app.Services.GetRequiredService<MiniLmLoader>();
miniLm.Start();
_ = app.Services.GetRequiredService<KnowledgeIndex>().PrepareInBackground(miniLm, app.Lifetime.ApplicationStopping);
_ = app.Services.GetRequiredService<OfflineIntentClassifier>().UpgradeToHybridWhenReady(app.Lifetime.ApplicationStopping);
if (!await app.PrepareDataAsync())
{
    return 1;
}

app.LogChannelStatus();
app.UseProblemResponses();

app.MapOperations();
app.MapWebChat();
app.MapTeams();
app.MapAsk();
app.MapSlack();
app.MapApiKeysAdmin();
app.MapKnowledgeAdmin();
app.MapPeopleAdmin();
app.MapScim();
app.MapControlsAdmin();
app.MapTasksAdmin();
app.MapProgramStatus();
app.MapDashboard();
app.MapAuditAdmin();
app.MapAttestationsAdmin();
app.MapExportAdmin();
app.MapAccessReviewsAdmin();
app.MapRemindersAdmin();
app.MapDigestAdmin();
app.MapOutboxAdmin();
app.MapChanges();

await app.RunAsync();
return 0;
