// Every page of the demo in Arabic, right to left (see demo_crawl.mjs).
import { crawlDemo } from './demo_crawl.mjs';

await crawlDemo('ar');
