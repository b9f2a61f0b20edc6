using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Data;

/// <summary>SQL Server (production on Azure, scale-out).</summary>
public sealed class SqlServerComplianceDbContext(DbContextOptions<SqlServerComplianceDbContext> options) : ComplianceDbContext(options);
