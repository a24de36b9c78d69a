"""Invented news articles (hand-written for this project, MIT licence).
All names, places and figures are fictional."""

ARTICLES = [
    ("a01", "Harwick council approves budget with library cuts",
     "Harwick Borough Council approved its 2025 budget on Tuesday night after a four-hour meeting. "
     "Council tax will rise by 4.9%, the maximum allowed without a referendum. "
     "Three branch libraries will move to volunteer-run opening hours to save £1.2 million. "
     "The council leader said the authority had 'no good options left' after years of reduced grants. "
     "Opposition councillors walked out before the final vote."),
    ("a02", "Redfield United beat Castleton Rovers 3-1 in derby",
     "Redfield United came from behind to beat Castleton Rovers 3-1 at Mill Lane on Saturday. "
     "Rovers led at half-time through a deflected free kick. "
     "Substitute Jamal Okoro scored twice in the last twenty minutes. "
     "The result lifts United to fourth in the table. "
     "Rovers' manager criticised the referee for a disputed penalty."),
    ("a03", "Nova X12 phone goes on sale at £1,099",
     "The Nova X12 smartphone goes on sale on Friday at a starting price of £1,099. "
     "The company says the new camera takes better photos in low light and the battery lasts two days. "
     "The phone ships without a charger or headphones. "
     "Reviewers praised the screen but said the design is almost identical to last year's model."),
    ("a04", "Heatwave: temperatures to hit 36C as hosepipe ban announced",
     "Forecasters expect temperatures to reach 36C in parts of the region this weekend. "
     "Southvale Water has announced a hosepipe ban starting on Monday. "
     "Health officials are urging people to check on elderly neighbours and to avoid the sun at midday. "
     "Some schools will finish early on Friday because classrooms are too hot."),
    ("a05", "Train drivers announce 48-hour strike",
     "Train drivers on the Northern Cross network will strike for 48 hours from next Thursday. "
     "The union says drivers have been offered a 3% pay rise while inflation is higher. "
     "The operator says only one train in five will run and advises passengers to work from home. "
     "It is the sixth strike this year."),
    ("a06", "Schools to ban mobile phones and extend the school day",
     "Secondary schools in the county will ban mobile phones during the school day from September. "
     "The school day will also be extended by 30 minutes to add extra reading and maths lessons. "
     "The education department says the changes will improve concentration. "
     "Teaching unions say there has been no extra funding for the longer day."),
    ("a07", "Former mayor jailed for 18 months over expenses fraud",
     "Former Eastbrook mayor Gordon Pell has been jailed for 18 months for fraud. "
     "The court heard he claimed £86,000 in false expenses over six years, including holidays and a boat. "
     "The judge said he had 'betrayed the trust of the town'. "
     "Pell's lawyer said he would appeal the sentence."),
    ("a08", "Riverside food festival draws record crowds",
     "More than 40,000 people attended the Riverside Food Festival over the weekend, a record. "
     "Highlights included a giant paella cooked for 2,000 people and a chilli-eating contest. "
     "Organisers said 120 local stalls took part. "
     "Some residents complained about queues and litter along the river path."),
    ("a09", "Green candidate wins Ashford West by-election",
     "The Green Party candidate Priya Nandra has won the Ashford West by-election with 38% of the vote. "
     "Turnout was 31%, the lowest in the constituency's history. "
     "The governing party fell to third place. "
     "Nandra said voters wanted action on the cost of living and local bus services."),
    ("a10", "Wildfire forces 200 people to leave homes near Alderbrook",
     "A wildfire on the moors above Alderbrook has forced around 200 residents to leave their homes. "
     "More than 60 firefighters are tackling the blaze, which started on Sunday afternoon. "
     "Fire officers believe it may have been caused by a disposable barbecue. "
     "Nobody has been injured, but a road has been closed and smoke is affecting nearby villages."),
    ("a11", "Rocket launches weather satellite from Scottish spaceport",
     "A small rocket has launched a weather satellite from the Kessock spaceport in northern Scotland. "
     "It is the first orbital launch from the site after two delays caused by wind. "
     "The satellite will help forecasters track storms over the Atlantic. "
     "The company behind the rocket says it plans six more launches next year."),
    ("a12", "New maritime museum opens on the harbourfront",
     "The Port Elling Maritime Museum opened to the public on Saturday after a £14 million refurbishment of an old warehouse. "
     "Exhibits include a restored lifeboat, ship models and letters from sailors. "
     "Entry is free for local residents. "
     "The museum expects 150,000 visitors in its first year."),
    ("a13", "Central bank raises interest rates to 5.25%",
     "The central bank has raised its main interest rate by a quarter point to 5.25%. "
     "It is the fourteenth rise in a row. "
     "The governor said inflation was still too high and further rises could not be ruled out. "
     "Mortgage holders on variable rates will see their monthly payments go up again."),
    ("a14", "Hospital waiting list hits record high",
     "The number of patients waiting for planned treatment at St Aldric's Hospital has reached a record 41,000. "
     "Some patients have waited more than two years for hip and knee operations. "
     "The hospital blames staff shortages and a lack of beds. "
     "A new surgical centre is due to open next spring."),
    ("a15", "Row over new cycle lane on High Street",
     "A new protected cycle lane on Kingsford High Street has divided residents. "
     "Shop owners say the loss of 40 parking spaces is hurting trade. "
     "Cycling groups say the lane has made the road safer for children riding to school. "
     "The council will review the scheme after a six-month trial."),
    ("a16", "Meadowlark festival announces line-up and £295 tickets",
     "The Meadowlark music festival has announced its headliners for this summer. "
     "Weekend tickets cost £295, up from £240 last year. "
     "Organisers say rising costs for security and staging are behind the increase. "
     "Tickets sold out within two hours, with many fans complaining about the booking website crashing."),
    ("a17", "Retailer admits data breach affecting two million customers",
     "Online retailer ShopHarbour says hackers accessed the names, email addresses and order histories of about two million customers. "
     "The company says card details were not taken. "
     "It took three weeks for the breach to be announced. "
     "Customers are being advised to change their passwords and watch for phishing emails."),
    ("a18", "Twin red panda cubs born at Westmoor Zoo",
     "Westmoor Zoo has announced the birth of twin red panda cubs. "
     "The cubs were born in June but have only just left their nest box. "
     "Red pandas are endangered in the wild. "
     "The zoo is asking the public to help choose names for the pair."),
    ("a19", "Bus fares to rise by 10% from April",
     "Bus fares across the county will rise by 10% from April, the operator has confirmed. "
     "A single journey will cost £2.75. "
     "The operator says fuel and wage costs have gone up. "
     "Passenger groups say the rise will hit students and older people the hardest."),
    ("a20", "Plans for 400 homes on green belt approved",
     "Planning officers have approved plans for 400 new homes on green belt land at Oakridge Farm. "
     "Around a third of the homes will be classed as affordable. "
     "Residents fear the development will add to traffic and put pressure on the local GP surgery. "
     "The developer has promised a new primary school and a park."),
    ("a21", "Council promises to fix 5,000 potholes",
     "The county council says it will fix 5,000 potholes by the end of the year. "
     "Drivers have reported record numbers of damaged tyres and wheels after a wet winter. "
     "The council has set up an online map where residents can report potholes. "
     "Critics say patching holes is a waste of money and whole roads need resurfacing."),
    ("a22", "Local swimmer wins Olympic gold",
     "Swimmer Hannah Cole from Brightwater has won gold in the 200m butterfly. "
     "The 22-year-old trained at the town's leisure centre, which was threatened with closure in 2021. "
     "She said she would celebrate with her family and her first coach. "
     "The council plans an open-top bus parade when she returns."),
    ("a23", "Energy price cap to fall in October",
     "The energy price cap will fall by 7% in October, the regulator has announced. "
     "A typical household will pay about £1,690 a year for gas and electricity. "
     "Charities say bills are still far higher than three years ago. "
     "Standing charges will rise slightly."),
    ("a24", "Airport expansion approved despite protests",
     "The government has approved plans for a second runway at Linton Airport. "
     "Supporters say it will create 10,000 jobs. "
     "Environmental groups and residents under the flight path have promised to challenge the decision in court. "
     "Construction could start in 2027."),
    ("a25", "Popular cafe given zero food hygiene rating",
     "The Corner Cup cafe on Market Street has been given a zero food hygiene rating after an inspection found mouse droppings in the kitchen. "
     "The owners say the problem has been fixed and they have asked for a new inspection. "
     "The cafe has been open for 30 years. "
     "Regular customers have defended it on social media."),
    ("a26", "New flood defences completed in Millbridge",
     "A £22 million flood defence scheme in Millbridge has been completed, two years late. "
     "The walls and pumps are designed to protect 1,300 homes from the river. "
     "The town was badly flooded in 2020. "
     "Residents say their home insurance premiums are still very high."),
    ("a27", "Town centre parking charges to double",
     "Parking charges in Dunmore town centre car parks will double to £2 an hour from next month. "
     "The council says the money will pay for road maintenance. "
     "Traders fear shoppers will go to out-of-town retail parks with free parking. "
     "Blue badge holders will still park for free."),
    ("a28", "Christmas lights switch-on cancelled",
     "Bramhill's Christmas lights switch-on event has been cancelled this year because of safety concerns. "
     "Organisers say they could not find enough stewards and the insurance costs had tripled. "
     "The lights will still be turned on, but without the stage, fair or fireworks. "
     "Local businesses say they will miss the extra visitors."),
]
