using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SlackInboxClaimIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SlackInbox_ProcessedAt_LeaseUntil",
                table: "SlackInbox");

            migrationBuilder.CreateIndex(
                name: "IX_SlackInbox_ProcessedAt_Id_LeaseUntil",
                table: "SlackInbox",
                columns: new[] { "ProcessedAt", "Id", "LeaseUntil" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SlackInbox_ProcessedAt_Id_LeaseUntil",
                table: "SlackInbox");

            migrationBuilder.CreateIndex(
                name: "IX_SlackInbox_ProcessedAt_LeaseUntil",
                table: "SlackInbox",
                columns: new[] { "ProcessedAt", "LeaseUntil" });
        }
    }
}
