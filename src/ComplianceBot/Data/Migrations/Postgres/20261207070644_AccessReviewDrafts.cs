using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccessReviewDrafts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews");

            migrationBuilder.AddColumn<string>(
                name: "CancelReason",
                table: "AccessReviews",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CancelledAt",
                table: "AccessReviews",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelledBy",
                table: "AccessReviews",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OverrideReason",
                table: "AccessReviews",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartedAt",
                table: "AccessReviews",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StartedBy",
                table: "AccessReviews",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews",
                columns: new[] { "SystemName", "Period" },
                unique: true,
                filter: "\"Status\" <> 'Cancelled'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "CancelReason",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "CancelledAt",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "CancelledBy",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "OverrideReason",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "StartedBy",
                table: "AccessReviews");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews",
                columns: new[] { "SystemName", "Period" },
                unique: true);
        }
    }
}
