using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditOccurrences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DaysLate",
                table: "ControlTasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "ControlTasks",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SuccessorId",
                table: "ControlTasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvidencedBy",
                table: "Controls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedFrom",
                table: "Controls",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedTo",
                table: "Controls",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetiredAt",
                table: "Controls",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ScheduleStart",
                table: "Controls",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ControlVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ControlId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Change = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ImportHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    DefinitionHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlVersions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ControlTasks_PeriodEnd",
                table: "ControlTasks",
                column: "PeriodEnd");

            migrationBuilder.CreateIndex(
                name: "IX_ControlVersions_ControlId_Version",
                table: "ControlVersions",
                columns: new[] { "ControlId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ControlVersions");

            migrationBuilder.DropIndex(
                name: "IX_ControlTasks_PeriodEnd",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "DaysLate",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "SuccessorId",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "EvidencedBy",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RenamedFrom",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RenamedTo",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RetiredAt",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "ScheduleStart",
                table: "Controls");
        }
    }
}
