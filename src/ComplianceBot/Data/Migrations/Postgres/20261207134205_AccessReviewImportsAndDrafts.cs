using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ComplianceBot.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccessReviewImportsAndDrafts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews");

            migrationBuilder.AddColumn<bool>(
                name: "StillPresentAtVerification",
                table: "AccessRevocations",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "VerifiedInReviewId",
                table: "AccessRevocations",
                type: "integer",
                nullable: true);

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
                name: "ImportProfile",
                table: "AccessReviews",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ImportSettings",
                table: "AccessReviews",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OverrideReason",
                table: "AccessReviews",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RevokedGoneCount",
                table: "AccessReviews",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RevokedStillPresentCount",
                table: "AccessReviews",
                type: "integer",
                nullable: false,
                defaultValue: 0);

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

            migrationBuilder.AddColumn<bool>(
                name: "AccountEnabled",
                table: "AccessReviewItems",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "AccountStatus",
                table: "AccessReviewItems",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AdminRoles",
                table: "AccessReviewItems",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ChangeSummary",
                table: "AccessReviewItems",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Groups",
                table: "AccessReviewItems",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "KeyStatus",
                table: "AccessReviewItems",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastActivitySource",
                table: "AccessReviewItems",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Mark",
                table: "AccessReviewItems",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MatchedBy",
                table: "AccessReviewItems",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Mfa",
                table: "AccessReviewItems",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OwnerId",
                table: "AccessReviewItems",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountAlias",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SystemName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AccountId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    PersonId = table.Column<int>(type: "integer", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountAlias", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountAlias_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AccountMark",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SystemName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AccountId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OwnerId = table.Column<int>(type: "integer", nullable: false),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMark", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMark_People_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews",
                columns: new[] { "SystemName", "Period" },
                unique: true,
                filter: "\"Status\" <> 'Cancelled'");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewItems_OwnerId",
                table: "AccessReviewItems",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountAlias_PersonId",
                table: "AccountAlias",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountAlias_SystemName_AccountId",
                table: "AccountAlias",
                columns: new[] { "SystemName", "AccountId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMark_OwnerId",
                table: "AccountMark",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMark_SystemName_AccountId",
                table: "AccountMark",
                columns: new[] { "SystemName", "AccountId" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_AccessReviewItems_People_OwnerId",
                table: "AccessReviewItems",
                column: "OwnerId",
                principalTable: "People",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_AccessReviewItems_People_OwnerId",
                table: "AccessReviewItems");

            migrationBuilder.DropTable(
                name: "AccountAlias");

            migrationBuilder.DropTable(
                name: "AccountMark");

            migrationBuilder.DropIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews");

            migrationBuilder.DropIndex(
                name: "IX_AccessReviewItems_OwnerId",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "StillPresentAtVerification",
                table: "AccessRevocations");

            migrationBuilder.DropColumn(
                name: "VerifiedInReviewId",
                table: "AccessRevocations");

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
                name: "ImportProfile",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "ImportSettings",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "OverrideReason",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "RevokedGoneCount",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "RevokedStillPresentCount",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "StartedBy",
                table: "AccessReviews");

            migrationBuilder.DropColumn(
                name: "AccountEnabled",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "AccountStatus",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "AdminRoles",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "ChangeSummary",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "Groups",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "KeyStatus",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "LastActivitySource",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "Mark",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "MatchedBy",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "Mfa",
                table: "AccessReviewItems");

            migrationBuilder.DropColumn(
                name: "OwnerId",
                table: "AccessReviewItems");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SystemName_Period",
                table: "AccessReviews",
                columns: new[] { "SystemName", "Period" },
                unique: true);
        }
    }
}
