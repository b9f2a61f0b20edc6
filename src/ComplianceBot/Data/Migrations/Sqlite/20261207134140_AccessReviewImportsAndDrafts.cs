using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "VerifiedInReviewId",
                table: "AccessRevocations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelReason",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CancelledAt",
                table: "AccessReviews",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelledBy",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ImportProfile",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ImportSettings",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OverrideReason",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RevokedGoneCount",
                table: "AccessReviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RevokedStillPresentCount",
                table: "AccessReviews",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "StartedAt",
                table: "AccessReviews",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StartedBy",
                table: "AccessReviews",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AccountEnabled",
                table: "AccessReviewItems",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "AccountStatus",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AdminRoles",
                table: "AccessReviewItems",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ChangeSummary",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Groups",
                table: "AccessReviewItems",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "KeyStatus",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastActivitySource",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Mark",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MatchedBy",
                table: "AccessReviewItems",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Mfa",
                table: "AccessReviewItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OwnerId",
                table: "AccessReviewItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountAlias",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SystemName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SystemName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    OwnerId = table.Column<int>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                filter: "[Status] <> 'Cancelled'");

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

            // No FK_AccessReviewItems_People_OwnerId on SQLite: adding a foreign key there rebuilds the whole items table
            // outside the migration's transaction (EF warns on every start). The owner is a checked directory person
            // (AccountMarks); PostgreSQL and SQL Server keep the constraint.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
