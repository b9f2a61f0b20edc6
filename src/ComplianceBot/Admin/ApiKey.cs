using System.Security.Cryptography;
using System.Text;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Admin;

/// <summary>
/// A per-person API key. Only its SHA-256 is stored: the key is 256 random bits, so a plain hash is as strong as a slow
/// KDF would be, and a lookup stays one indexed query. Shown once when created; revoked, never deleted.
/// </summary>
public sealed class ApiKey
{
    public const string KeyPrefix = "cbk_";

    public int Id { get; private set; }
    public int PersonId { get; init; }
    public Person? Person { get; init; }

    /// <summary>What it is for ("Q4 2026 audit", "GitHub Actions").</summary>
    public required string Name { get; init; }

    /// <summary>The first 12 characters, shown in lists so a holder can tell their keys apart.</summary>
    public required string Hint { get; init; }
    public required string Sha256 { get; init; }
    public ApiRoles Roles { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || now < expires);

    /// <summary>A new key for <paramref name="person"/>; returns the entity and the secret, which is never stored.</summary>
    public static (ApiKey Key, string Secret) Create(Person person, string name, ApiRoles roles, DateTimeOffset? expiresAt, string createdBy, DateTimeOffset now)
    {
        var secret = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (new ApiKey
        {
            PersonId = person.Id,
            Person = person,
            Name = name.Trim(),
            Hint = secret[..12],
            Sha256 = HashOf(secret),
            Roles = roles,
            CreatedAt = now,
            CreatedBy = createdBy,
            ExpiresAt = expiresAt,
        }, secret);
    }

    public static string HashOf(string presented) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public void Revoke(string by, DateTimeOffset at)
    {
        if (RevokedAt is null)
        {
            (RevokedAt, RevokedBy) = (at, by);
        }
    }

    /// <summary>The roles the person may hold today: admin needs compliance_admin, auditor needs auditor (or compliance_admin) in the directory.</summary>
    public static ApiRoles AllowedFor(Person person) =>
        !person.IsActive ? ApiRoles.None
        : ApiRoles.Integration
          | (person.Has(PersonRoles.ComplianceAdmin) ? ApiRoles.Admin | ApiRoles.Auditor : ApiRoles.None)
          | (person.Has(PersonRoles.Auditor) ? ApiRoles.Auditor : ApiRoles.None);
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.HasIndex(k => k.Sha256).IsUnique();
        builder.Property(k => k.Sha256).HasMaxLength(64);
        builder.Property(k => k.Hint).HasMaxLength(16);
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Property(k => k.RevokedBy).HasMaxLength(256);
        builder.HasOne(k => k.Person).WithMany().HasForeignKey(k => k.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
