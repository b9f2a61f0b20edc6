using ComplianceBot.AccessReviews;
using ComplianceBot.Admin;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.Evidence;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Systems;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Data;

/// <summary>The one database of the bot. Each provider has a thin subclass so each keeps its own migrations.</summary>
/// <remarks>
/// After changing the model, regenerate the three migration sets from the repo root with <c>scripts/add-migration.sh Name</c>
/// (it runs <c>dotnet ef migrations add</c> once per provider context).
/// </remarks>
public abstract class ComplianceDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Person> People => Set<Person>();
    public DbSet<ChannelAccount> ChannelAccounts => Set<ChannelAccount>();
    public DbSet<Criterion> Criteria => Set<Criterion>();
    public DbSet<Control> Controls => Set<Control>();
    public DbSet<ControlVersion> ControlVersions => Set<ControlVersion>();
    public DbSet<ScopedSystem> Systems => Set<ScopedSystem>();
    public DbSet<ControlTask> ControlTasks => Set<ControlTask>();
    public DbSet<ConversationState> ConversationStates => Set<ConversationState>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Attestation> Attestations => Set<Attestation>();
    public DbSet<Delegation> Delegations => Set<Delegation>();
    public DbSet<EvidenceItem> EvidenceItems => Set<EvidenceItem>();
    public DbSet<AccessReview> AccessReviews => Set<AccessReview>();
    public DbSet<AccessReviewItem> AccessReviewItems => Set<AccessReviewItem>();
    public DbSet<AccessRevocation> AccessRevocations => Set<AccessRevocation>();
    public DbSet<AccessReviewEscalation> AccessReviewEscalations => Set<AccessReviewEscalation>();
    public DbSet<Reminder> Reminders => Set<Reminder>();
    public DbSet<ChangeRequest> ChangeRequests => Set<ChangeRequest>();
    public DbSet<Outbox.OutboxMessage> Outbox => Set<Outbox.OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ComplianceDbContext).Assembly);
}
