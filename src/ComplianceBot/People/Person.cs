using ComplianceBot.Conversations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.People;

[Flags]
public enum PersonRoles
{
    None = 0,
    ComplianceAdmin = 1,
    Approver = 2,
    ChangeAdvisory = 4,
    SystemOwner = 8,
    SystemAdmin = 16,
    Auditor = 32,
}

[Flags]
public enum WorkDays
{
    None = 0,
    Mon = 1,
    Tue = 2,
    Wed = 4,
    Thu = 8,
    Fri = 16,
    Sat = 32,
    Sun = 64,
    Weekdays = Mon | Tue | Wed | Thu | Fri,
}

public enum PersonStatus
{
    Active,

    /// <summary>A leaver: the directory (identity provider, HR export or people.yaml) says they left, on <see cref="Person.EndDate"/>.</summary>
    Left,

    /// <summary>Deleted from the directory (removed from people.yaml, SCIM DELETE); kept for history.</summary>
    Removed,
}

/// <summary>How someone works for the organisation; contractors are active people like employees.</summary>
public enum EmploymentType
{
    Employee,
    Contractor,
}

/// <summary>Where a person's directory record comes from; people.yaml only retires the people it created.</summary>
public enum PersonSource
{
    Yaml,
    Scim,
    Csv,
}

/// <summary>Someone in the directory: from knowledge/program/people.yaml, the identity provider (SCIM) or an HR export (CSV).</summary>
public sealed class Person
{
    public int Id { get; private set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public string? Title { get; set; }
    public int? ManagerId { get; set; }
    public Person? Manager { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public TimeOnly WorkStart { get; set; } = new(9, 0);
    public TimeOnly WorkEnd { get; set; } = new(17, 0);
    public WorkDays WorkDays { get; set; } = WorkDays.Weekdays;
    public PersonRoles Roles { get; set; }
    public ChannelKind PreferredChannel { get; set; } = ChannelKind.Slack;
    public PersonStatus Status { get; set; } = PersonStatus.Active;
    public EmploymentType Employment { get; set; } = EmploymentType.Employee;
    public string? Department { get; set; }
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public PersonSource Source { get; set; } = PersonSource.Yaml;

    /// <summary>The identity provider's login name (SCIM userName), when it is not the email.</summary>
    public string? UserName { get; set; }

    /// <summary>The identity provider's own id for this person (SCIM externalId), when provisioned.</summary>
    public string? ExternalId { get; set; }

    public List<ChannelAccount> ChannelAccounts { get; set; } = [];

    public bool IsActive => Status == PersonStatus.Active;

    public bool Has(PersonRoles role) => (Roles & role) == role;

    public TimeZoneInfo TimeZoneInfo => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The person's local time now.</summary>
    public DateTimeOffset LocalTime(DateTimeOffset utcNow) => TimeZoneInfo.ConvertTime(utcNow, TimeZoneInfo);
}

/// <summary>Links a person to a Slack or Teams account, with what we need to message them proactively.</summary>
public sealed class ChannelAccount
{
    public int Id { get; private set; }
    public int PersonId { get; set; }
    public Person? Person { get; set; }
    public ChannelKind Channel { get; set; }
    public required string TenantId { get; set; }
    public required string UserId { get; set; }

    /// <summary>The 1:1 conversation with the bot (Slack DM channel id, Teams "a:..." id), once known.</summary>
    public string? ConversationId { get; set; }

    /// <summary>The channel's serialised proactive reference (Teams ConversationReference JSON); opaque to everyone else.</summary>
    public string? ConversationReference { get; set; }

    public DateTimeOffset LinkedAt { get; set; }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> builder)
    {
        builder.HasIndex(p => p.Email).IsUnique();
        builder.Property(p => p.Email).HasMaxLength(256);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.Property(p => p.Title).HasMaxLength(200);
        builder.Property(p => p.TimeZone).HasMaxLength(64);
        builder.Property(p => p.PreferredChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Employment).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Source).HasConversion<string>().HasMaxLength(8);
        builder.Property(p => p.Department).HasMaxLength(200);
        builder.Property(p => p.ExternalId).HasMaxLength(256);
        builder.Property(p => p.UserName).HasMaxLength(256);
        builder.HasIndex(p => p.ExternalId);
        builder.HasIndex(p => p.UserName);
        builder.HasOne(p => p.Manager).WithMany().HasForeignKey(p => p.ManagerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ChannelAccountConfiguration : IEntityTypeConfiguration<ChannelAccount>
{
    public void Configure(EntityTypeBuilder<ChannelAccount> builder)
    {
        builder.HasIndex(a => new { a.Channel, a.TenantId, a.UserId }).IsUnique();
        builder.HasIndex(a => new { a.PersonId, a.Channel });
        builder.Property(a => a.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.TenantId).HasMaxLength(128);
        builder.Property(a => a.UserId).HasMaxLength(128);
        builder.Property(a => a.ConversationId).HasMaxLength(256);
        builder.HasOne(a => a.Person).WithMany(p => p.ChannelAccounts).HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
