"""Materials: stock, material packages (reels), MSD floor life, purchasing, MRP, kitting."""
