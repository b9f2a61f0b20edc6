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
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Export;
using ComplianceBot.Knowledge;
using ComplianceBot.Operations;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;

var builder = WebApplication.CreateBuilder(args);

// A wrong or missing database or storage setting stops the host with one line naming it, not a stack trace.
if (!builder.SettingsAreValid())
{
    return 2;
}

builder.AddData();
builder.Services.AddAdmin();
builder.AddOperations();
builder.Services.AddConversations();
builder.Services.AddKnowledge();
builder.Services.AddPeople();
builder.Services.AddTasks();
builder.Services.AddChangeApprovals();
builder.Services.AddWebChat();
builder.Services.AddAttestations();
builder.Services.AddEvidence();
builder.Services.AddExport();
builder.Services.AddAccessReviews();
builder.Services.AddTeams();
builder.Services.AddAsk();
builder.Services.AddReminders();
builder.Services.AddSlack();

var app = builder.Build();

// `eval <questions.jsonl>` scores the Ask flow on a question set and exits instead of serving.
if (args is ["eval", .. var evalArgs])
{
    return await app.RunCommandAsync(evalArgs);
}

// Migrate and import knowledge/ before serving: a bad knowledge file stops the host with its message.
if (!await app.PrepareDataAsync())
{
    return 1;
}

app.LogChannelStatus();

app.MapOperations();
app.MapWebChat();
app.MapTeams();
app.MapAsk();
app.MapSlack();
app.MapKnowledgeAdmin();
app.MapPeopleAdmin();
app.MapControlsAdmin();
app.MapTasksAdmin();
app.MapAuditAdmin();
app.MapAttestationsAdmin();
app.MapExportAdmin();
app.MapAccessReviewsAdmin();
app.MapRemindersAdmin();
app.MapChanges();

await app.RunAsync();
return 0;
